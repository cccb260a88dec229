/**
 * Counter source that reads each instance's own Prometheus endpoint, for setups without a
 * Prometheus server (or to skip its 15 s scrape lag). One URL per machine; each is one series, so
 * a restart of one machine lowers only its own counters (see src/analysis/counter-accumulator.ts).
 */
import type { Clock } from '../infra/clock.ts';
import { truncate } from '../infra/exec/text.ts';
import type { SecretRegistry } from '../infra/secrets.ts';
import { deadline } from './deadline.ts';
import { describeTransportError } from './http-probe.ts';
import { parsePromText, type PromSample } from './prom-text.ts';
import { requestOnce } from '../infra/http/request-once.ts';
import type { ScrapeCounters } from '../config/signal-schemas.ts';
import { collectSignalSecrets } from './signal-secrets.ts';
import type { CounterReadout, SeriesReading } from '../domain/measurement.ts';
import type { CounterSource } from './types.ts';

export { histogramQuantile, type Bucket } from './histogram-quantile.ts';

export interface ScrapeSourceDeps {
  clock: Clock;
  secrets: SecretRegistry;
}

/** A busy app's exposition is tens of KiB; beyond this something is wrong with the endpoint. */
const MAX_EXPOSITION_BYTES = 8 * 1024 * 1024;
const MAX_DETAIL_CHARS = 300;

/** One scrape URL, with what is derived from it once: the endpoint requested and its loggable form. */
interface Endpoint {
  url: string;
  endpoint: string;
  where: string;
}

type ScrapeResult = { ok: true; reading: SeriesReading; metricFound: boolean } | { ok: false; detail: string };

export class ScrapeCounterSource implements CounterSource {
  readonly type = 'scrape';
  readonly #spec: ScrapeCounters;
  readonly #deps: ScrapeSourceDeps;
  readonly #errorStatus: RegExp;
  /** Worked out once: parsing each URL on every scrape showed in CPU profiles. */
  readonly #endpoints: readonly Endpoint[];

  constructor(spec: ScrapeCounters, deps: ScrapeSourceDeps) {
    this.#spec = spec;
    this.#deps = deps;
    this.#endpoints = spec.urls.map((url) => {
      const endpoint = metricsUrl(url);
      return { url, endpoint, where: describeUrl(endpoint) };
    });
    // Anchored: `5..` must not match a status label like `1500`.
    this.#errorStatus = new RegExp(`^(?:${spec.errorStatus})$`);
    collectSignalSecrets(spec, deps.secrets);
  }

  /**
   * Scrapes every URL at once. A URL that fails is left out of the readings (its series simply has
   * no new reading); only when all fail is the readout an `error`. Never throws.
   */
  async read(signal: AbortSignal): Promise<CounterReadout> {
    const results = await Promise.all(this.#endpoints.map((e) => this.#scrape(e, signal)));
    const at = this.#deps.clock.now();
    if (signal.aborted) return { ok: false, phase: 'inconclusive', at, detail: 'scrape aborted' };
    const readings = results.flatMap((r) => (r.ok ? [r.reading] : []));
    const failures = results.flatMap((r) => (r.ok ? [] : [r.detail]));
    const mask = (text: string) => truncate(this.#deps.secrets.mask(text), MAX_DETAIL_CHARS);
    if (readings.length === 0) return { ok: false, phase: 'error', at, detail: mask(`all ${results.length} scrapes failed: ${failures.join('; ')}`) };
    const missing = results.filter((r) => r.ok && !r.metricFound).length;
    const notes = [
      ...failures,
      ...(missing > 0 ? [`${this.#spec.metric} absent on ${missing} (counted as 0)`] : []),
    ];
    return { ok: true, at, readings, detail: mask(`${readings.length}/${results.length} scraped${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`) };
  }

  async #scrape({ url, endpoint, where }: Endpoint, signal: AbortSignal): Promise<ScrapeResult> {
    const { timeout, headers } = this.#spec;
    const limit = deadline(signal, timeout);
    try {
      // A connection of its own, like a probe's: at a probe interval of seconds a pooled one would
      // have idled out anyway (undici's keep-alive is 4 s, Node servers' 5 s), so reuse saved
      // nothing, and node:http closes it cheaper than undici (see request-once.ts).
      const res = await requestOnce(endpoint, {
        method: 'GET',
        headers: { accept: 'text/plain;version=0.0.4', ...headers },
        signal: limit.signal,
        maxBodyBytes: MAX_EXPOSITION_BYTES,
      });
      const body = res.body;
      if (res.status !== 200) return { ok: false, detail: `${where}: HTTP ${res.status}` };
      if (body === undefined) return { ok: false, detail: `${where}: over ${MAX_EXPOSITION_BYTES / 1024 / 1024} MiB` };
      const samples = parsePromText(body.toString('utf8'));
      return { ok: true, ...this.#sum(url, samples) };
    } catch (err) {
      if (err instanceof Error && err.name === 'PromTextError') return { ok: false, detail: `${where}: not Prometheus text (${err.message})` };
      return { ok: false, detail: `${where}: ${describeTransportError(err, timeout)}` };
    } finally {
      limit.done();
    }
  }

  /** Requests = the metric summed over all label sets; errors = over those with an error status. */
  #sum(url: string, samples: readonly PromSample[]): { reading: SeriesReading; metricFound: boolean } {
    const reading: SeriesReading = { series: url, requests: 0, errors: 0 };
    let metricFound = false;
    for (const s of samples) {
      if (s.name !== this.#spec.metric) continue;
      metricFound = true;
      reading.requests += s.value;
      if (this.#errorStatus.test(s.labels[this.#spec.statusLabel] ?? '')) reading.errors += s.value;
    }
    // An app that has served nothing yet may not expose the labelled series at all: that is 0.
    return { reading, metricFound };
  }
}

/** `url` itself when it has a path; `url` + `/metrics` when it is just an origin. */
export function metricsUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/metrics';
  return parsed.toString();
}

/** host:port and path of a metrics endpoint only: a query string or user info may hold a credential. */
function describeUrl(endpoint: string): string {
  const parsed = new URL(endpoint);
  return `${parsed.host}${parsed.pathname}`;
}
