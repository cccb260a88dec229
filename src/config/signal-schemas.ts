/**
 * Config schemas of the signal providers, for the lead to plug into src/config/schema.ts. Same
 * conventions as there: strict objects (a misspelt key is an error), names without a suffix with
 * the inferred type under the same name, and a `.describe()` on every field for the JSON Schema.
 */
import { z } from 'zod';
// From the leaf module, not config/schema.ts: that module imports this one (an ESM cycle otherwise).
import { Duration } from '../infra/duration.ts';

/** Same rule as the config's check names: they end up in metric labels and URLs. */
const CheckName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'use lowercase letters, digits, "-" or "_" (max 63)')
  .describe('Name of the check, unique within the target; shown in measurements and metrics.');
const HttpUrl = z.url({ protocol: /^https?$/, error: 'Invalid URL' });
const Headers = z.record(z.string(), z.string());

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** A JSON subset the probe's response body must contain (see matchJsonSubset). */
export const HttpBodyExpectation = z
  .record(z.string(), z.json())
  .describe('JSON the response body must contain: every key given must be present with an equal value; nested objects are matched the same way, arrays must be equal.');
export type HttpBodyExpectation = z.infer<typeof HttpBodyExpectation>;

/** The HTTP probe's optional answer checks, to spread into `HttpProbe` in src/config/schema.ts. */
export const httpProbeAnswerFields = {
  expectBody: HttpBodyExpectation.optional(),
  maxLatencyMs: z.int().min(1).max(600_000).optional()
    .describe('A right answer slower than this many milliseconds counts as failed.'),
};

export const SmokeTest = z.strictObject({
  name: CheckName,
  type: z.literal('smoke').describe('A command (e.g. an end-to-end test suite) that exits 0 when the release works.'),
  command: z.array(z.string().min(1)).min(1)
    .describe('Program and its arguments, e.g. ["npx", "playwright", "test"]. Run without a shell.'),
  cwd: z.string().min(1).optional().describe('Working directory of the command; default the watchdog\'s own.'),
  env: Headers.optional()
    .describe('Extra environment variables; only PATH and HOME are inherited. Values are masked in output when they are secrets.'),
  timeout: Duration.prefault('5m').describe('Hard limit per attempt; a command still running then counts as failed.'),
  retries: z.int().min(0).max(5).default(1).describe('Extra attempts after a non-zero exit before the check fails.'),
  retryDelay: Duration.prefault('5s').describe('Wait between attempts.'),
  interval: Duration.prefault('5m').describe('How often the smoke test runs while a release is guarded.'),
});
export type SmokeTest = z.infer<typeof SmokeTest>;

export const PlatformChecks = z.strictObject({
  name: CheckName,
  type: z.literal('platform-checks').describe('Fly\'s own machine states and service checks, from `fly status --json`.'),
  app: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a Fly app name (lowercase letters, digits, "-")').optional()
    .describe('Fly app whose machines are checked; default the target\'s app.'),
  autostop: z.boolean().optional()
    .describe('Deprecated and ignored: each machine\'s own autostop (config.services[].autostop in `fly status`) says whether a stopped machine is idle, and stopped standby machines are always left out.'),
});
export type PlatformChecks = z.infer<typeof PlatformChecks>;

/** Connection settings shared by the Prometheus sources. */
const prometheusConnection = {
  url: HttpUrl.describe('Prometheus base URL, e.g. http://127.0.0.1:9090 or https://api.fly.io/prometheus/<org-slug>; /api/v1/query is appended.'),
  bearerToken: z.string().min(1).optional()
    .describe('API token; write ${FLY_API_TOKEN} to read it from the environment. Sent as flyctl sends it: `FlyV1` for tokens from `fly tokens create` (a leading `FlyV1 ` or `Bearer ` is stripped first), `Bearer` for others. Never logged.'),
  authScheme: z.enum(['Bearer', 'FlyV1']).optional()
    .describe('Deprecated and ignored: the scheme follows from the token, as in flyctl.'),
  timeout: Duration.prefault('10s').describe('Limit for one query.'),
};

export const PrometheusCounters = z.strictObject({
  type: z.literal('prometheus').describe('Request and error counters from a PromQL instant query.'),
  ...prometheusConnection,
  requests: z.string().min(1)
    .describe('PromQL returning cumulative request counters per series, e.g. sum by (instance) (fly_app_http_responses_count{app="my-app"}).'),
  errors: z.string().min(1)
    .describe('PromQL returning cumulative error counters with the same labels, e.g. with status=~"5.." added.'),
});
export type PrometheusCounters = z.infer<typeof PrometheusCounters>;

export const PrometheusLatency = z.strictObject({
  type: z.literal('prometheus').describe('A latency in seconds from a PromQL instant query.'),
  ...prometheusConnection,
  query: z.string().min(1)
    .describe('PromQL returning a scalar or a one-element vector in seconds, e.g. histogram_quantile(0.99, sum by (le) (rate(fly_app_http_response_time_seconds_bucket{app="my-app"}[1m]))).'),
});
export type PrometheusLatency = z.infer<typeof PrometheusLatency>;

export const ScrapeCounters = z.strictObject({
  type: z.literal('scrape').describe('Request and error counters read straight from each instance\'s Prometheus endpoint.'),
  urls: z.array(HttpUrl).min(1)
    .describe('One URL per machine or instance. A URL without a path gets /metrics; one with a path is used as is.'),
  metric: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'not a Prometheus metric name').default('http_requests_total')
    .describe('Counter of requests, summed over all its label sets.'),
  statusLabel: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'not a Prometheus label name').default('status')
    .describe('Label holding the response status.'),
  errorStatus: z.string().refine(isRegExp, 'not a valid regular expression').default('5..')
    .describe('Regular expression (matched against the whole label value) for statuses that count as errors.'),
  headers: Headers.optional().describe('Request headers, e.g. Authorization; values are never logged.'),
  timeout: Duration.prefault('5s').describe('Limit for one scrape.'),
});
export type ScrapeCounters = z.infer<typeof ScrapeCounters>;

export const Connectivity = z.strictObject({
  url: HttpUrl.default('https://api.fly.io')
    .describe('A URL the watchdog must be able to reach; any HTTP answer proves its own network works.'),
  timeout: Duration.prefault('5s').describe('Limit for the self-check request.'),
});
export type Connectivity = z.infer<typeof Connectivity>;

/** Where the latest applied database migration is read (see signals/migration-marker.ts). */
export const MigrationSource = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('url'),
    url: z.url().describe('Answers JSON holding the latest applied migration marker'),
    field: z.string().regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/).default('latest.createdAt').describe('Dot path of the numeric marker in the JSON'),
    headers: z.record(z.string(), z.string()).optional(),
    timeout: Duration.prefault('5s'),
  }),
  z.strictObject({
    type: z.literal('command'),
    command: z.array(z.string().min(1)).min(1).describe('argv; prints the numeric marker (or JSON with `field`)'),
    field: z.string().optional(),
    timeout: Duration.prefault('30s'),
  }),
]);
export type MigrationSource = z.infer<typeof MigrationSource>;
