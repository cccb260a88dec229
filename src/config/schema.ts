/**
 * The config file's shape. One zod schema is the single source of truth: it validates the YAML,
 * gives the TypeScript types, and generates config/watchdog.schema.json for editors.
 * Objects are strict so a misspelt key is an error, not a silently ignored setting.
 */
import { z } from 'zod';
import { validate as isValidCron } from 'node-cron';
import { Duration } from '../infra/duration.ts';
import { AdminSettings } from './admin-schema.ts';
import { Notifications } from './notify-schema.ts';
import { MigrationSource } from './signal-schemas.ts';
import {
  Connectivity,
  httpProbeAnswerFields,
  PlatformChecks,
  PrometheusCounters,
  PrometheusLatency,
  ScrapeCounters,
  SmokeTest,
} from './signal-schemas.ts';

export { Duration };

const Name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'use lowercase letters, digits, "-" or "_" (max 63)');
const FlyAppName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a Fly app name (lowercase letters, digits, "-")');
/** auto: roll back on its own; approve: hold every rollback for an operator; dry-run: judge and record only. */
export const Mode = z.enum(['auto', 'approve', 'dry-run']);
const StatusCode = z.int().min(100).max(599);

/** Per-probe override of guard.failureThreshold (smoke tests default to 1: they retry inside). */
const failureThreshold = z.int().min(1).max(100).optional();

export const HttpProbe = z.strictObject({
  name: Name,
  type: z.literal('http').default('http'),
  failureThreshold,
  ...httpProbeAnswerFields,
  url: z.url({ protocol: /^https?$/, error: 'Invalid URL' }),
  method: z.enum(['GET', 'HEAD']).default('GET'),
  /** Status codes that count as a pass. */
  expectStatus: z.union([StatusCode, z.array(StatusCode).min(1)]).default(200)
    .transform((s) => (Array.isArray(s) ? s : [s])),
  timeout: Duration.prefault('5s'),
  headers: z.record(z.string(), z.string()).optional(),
});
export type HttpProbe = z.infer<typeof HttpProbe>;

/** One check run every round (smoke tests every `interval`). `type` defaults to http. */
export const Probe = z.union([HttpProbe, SmokeTest.extend({ failureThreshold }), PlatformChecks.extend({ failureThreshold })]);
export type Probe = z.infer<typeof Probe>;

export const ErrorRate = z.strictObject({
  /** Where request and error counters come from. */
  source: z.discriminatedUnion('type', [PrometheusCounters, ScrapeCounters]),
  /** Chance of a false rollback per deploy the sequential test allows. */
  alpha: z.number().gt(0).lt(0.5).default(0.001),
  /** The new release fails when its error rate is proven above max(absoluteFloor, tolerance × baseline). */
  tolerance: z.number().gte(1).max(100).default(2),
  absoluteFloor: z.number().gt(0).lt(1).default(0.01),
  /** Fail above this error ratio once it has held for ceilingPersistence (never on one look), given minRequestsForCeiling requests. */
  ceiling: z.number().gt(0).lte(1).default(0.5),
  /** Below this many requests the error rate is "insufficient evidence", not a pass. */
  minRequests: z.int().min(1).default(50),
  minRequestsForCeiling: z.int().min(1).default(20),
  /** A smaller baseline (in requests, after the dispersion) is insufficient evidence: nothing is judged against it. */
  minBaselineRequests: z.int().min(1).default(200),
  /** Deprecated and ignored: the baseline remembers up to baselineRetention of the stable releases' traffic. */
  baselineWindow: Duration.optional(),
  /** With insufficient evidence at the end of the watch window, keep guarding up to this long. */
  maxWindow: Duration.prefault('30m'),
  /**
   * A release is good only once the error rate was judged within bounds on enough traffic; false
   * judges an app that gets too little traffic on its probes alone (it still fails on errors seen).
   */
  requireTraffic: z.boolean().default(true),
  // Settings of the state-passing test (src/analysis/error-rate-test.ts). Optional without zod
  // defaults: the analysis fills them (resolveErrorRateTestSpec), and configs and fixtures written
  // before them keep their type. docs/statistics.md explains each default.
  /** Share of alpha spent on the baseline's upper bound (default alpha / 4); alpha is the total. */
  baselineAlpha: z.number().gt(0).lt(0.5).optional(),
  /** Share of the test's alpha spent on regressions that start after the deploy (default 0.5). */
  changeShare: z.number().gte(0).lt(1).optional(),
  /** No stretch of traffic shorter than this can roll a release back by itself (default 12s). */
  minDecision: Duration.optional(),
  /** The same when the baseline's own traffic had bursts (default 20s). */
  burstyMinDecision: Duration.optional(),
  /** The same for a regression that starts after the deploy (default 40s). */
  minChangeDecision: Duration.optional(),
  /** The ceiling fails a release only after its rate stayed above it this long (default 30s). */
  ceilingPersistence: Duration.optional(),
  /** How much of the stable releases' traffic the baseline remembers (default 24h). */
  baselineRetention: Duration.optional(),
  /** A baseline spanning less is insufficient evidence (default 1h). */
  minBaselineSpan: Duration.optional(),
});
export type ErrorRate = z.infer<typeof ErrorRate>;

export const Latency = z
  .strictObject({
    source: PrometheusLatency,
    /** Fail when the latency stays above this. */
    ceiling: Duration.optional(),
    /** Fail when the latency stays above the stable release's × this. */
    tolerance: z.number().gt(1).max(100).optional(),
  })
  .refine((l) => l.ceiling !== undefined || l.tolerance !== undefined, { message: 'set a ceiling, a tolerance or both' });
export type Latency = z.infer<typeof Latency>;

/**
 * Settings that have a global default and a per-target override. Each is declared once without
 * defaults; the override form keeps it that way (zod's `.partial()` would keep inner defaults and
 * silently reset fields the target never mentioned), the defaults form adds them.
 */
const guardFields = {
  /** How long a new release is watched before it is marked good. */
  watchWindow: Duration,
  /** Time between probe rounds while guarding or verifying. */
  probeInterval: Duration,
  /** Consecutive failed rounds of one probe that fail the release; one blip never does. */
  failureThreshold: z.int().min(1).max(100),
  /**
   * Rounds each probe must have answered (passed or failed, not inconclusive) before a release can
   * be called good; fewer, and the guard ends `unproven`.
   */
  minConclusiveRounds: z.int().min(0).max(1000),
  /**
   * A release Fly still reports `running` this long after it was created, while machines run it,
   * is guarded anyway: the deploy that created it died (CI's flyctl killed) and it will never complete.
   */
  stuckAfter: Duration,
};
const verifyFields = {
  /** After the rollback deploy, the probes must pass within this time… */
  timeout: Duration,
  /** …this many rounds in a row. */
  successes: z.int().min(1).max(100),
};
const rollbackFields = {
  /**
   * flyctl's `--strategy` for rollback deploys. Unset (the default), none is passed and flyctl uses
   * the app's own (its current release's `[deploy] strategy`, else rolling). A strategy passed is
   * written into the rollback release's stored config (flyctl deploy/machines.go
   * determineAppConfigForMachines), so the app's later `fly secrets set` restarts and config-less
   * deploys use it too. `immediate` replaces every machine at once and waits for none of them to
   * start or pass its checks: only the watchdog's verification tells whether the rollback worked.
   */
  strategy: z.enum(['immediate', 'rolling', 'bluegreen', 'canary']),
  /**
   * flyctl `--wait-timeout`: how long a rolling, canary or bluegreen rollback waits for each machine
   * to start and pass its checks. `immediate` waits for nothing; there it only sets a lease's length.
   */
  waitTimeout: Duration,
  /** After a restart, how long to wait for an interrupted rollback deploy's release before issuing it again. */
  reissueAfter: Duration,
  /** Minimum time between two automatic rollbacks of one target. */
  cooldown: Duration,
  /** At most this many automatic rollbacks of one target per `maxAutomaticPeriod`; then hold. */
  maxAutomatic: z.int().min(1).max(100),
  maxAutomaticPeriod: Duration,
  /** Times a failing rollback deploy is tried before the target ends rollback-failed. */
  deployAttempts: z.int().min(1).max(10),
  /** Backoff before re-issuing a failed rollback deploy; doubles each attempt up to retryBackoffMax. */
  retryBackoff: Duration,
  retryBackoffMax: Duration,
};

export const GuardSettings = z.strictObject({
  watchWindow: guardFields.watchWindow.prefault('10m'),
  probeInterval: guardFields.probeInterval.prefault('10s'),
  failureThreshold: guardFields.failureThreshold.default(3),
  minConclusiveRounds: guardFields.minConclusiveRounds.default(3),
  stuckAfter: guardFields.stuckAfter.prefault('15m'),
});
export const VerifySettings = z.strictObject({
  timeout: verifyFields.timeout.prefault('5m'),
  successes: verifyFields.successes.default(3),
});
export const RollbackSettings = z.strictObject({
  strategy: rollbackFields.strategy.optional(),
  waitTimeout: rollbackFields.waitTimeout.prefault('5m'),
  reissueAfter: rollbackFields.reissueAfter.prefault('1m'),
  cooldown: rollbackFields.cooldown.prefault('10m'),
  maxAutomatic: rollbackFields.maxAutomatic.default(3),
  maxAutomaticPeriod: rollbackFields.maxAutomaticPeriod.prefault('1h'),
  deployAttempts: rollbackFields.deployAttempts.default(3),
  retryBackoff: rollbackFields.retryBackoff.prefault('10s'),
  retryBackoffMax: rollbackFields.retryBackoffMax.prefault('2m'),
});
const GuardOverrides = z.strictObject(guardFields).partial();
const VerifyOverrides = z.strictObject(verifyFields).partial();
const RollbackOverrides = z.strictObject(rollbackFields).partial();

export const Target = z.strictObject({
  name: Name,
  /** The Fly app name; defaults to `name`. */
  app: FlyAppName.optional(),
  environment: Name.default('production'),
  /** Overrides the global mode for this target. */
  mode: Mode.optional(),
  /** Start with automatic rollbacks paused (operators resume through the admin API). */
  paused: z.boolean().default(false),
  probes: z.array(Probe).min(1, 'a target needs at least one probe'),
  /** Where to read the latest applied database migration; rollbacks across one are held for a human. */
  migrations: MigrationSource.optional(),
  /** Judge the release's error rate with an anytime-valid sequential test (docs/statistics.md). */
  errorRate: ErrorRate.optional(),
  /** A latency quantile against a ceiling or the stable release's latency. */
  latency: Latency.optional(),
  guard: GuardOverrides.optional(),
  verify: VerifyOverrides.optional(),
  rollback: RollbackOverrides.optional(),
});
export type Target = z.infer<typeof Target>;

/** The Fly token may go in clear text only to this machine (the simulator, a local proxy). */
function isHttpsOrLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  // An IPv6 hostname keeps its brackets in a URL: `[::1]`.
  return protocol === 'https:' || (protocol === 'http:' && isLoopback(hostname.replace(/^\[(.*)\]$/, '$1')));
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export const FlySettings = z.strictObject({
  /** flyctl binary: a name on PATH or an absolute path. */
  binary: z.string().min(1).default('fly'),
  /** Passed to flyctl as FLY_API_TOKEN; write `${FLY_API_TOKEN}` to read it from the environment. */
  apiToken: z.string().min(1).optional(),
  /** Passed as FLY_API_BASE_URL (the simulator uses this; real setups leave it unset). */
  apiBaseUrl: z.url().optional(),
  timeouts: z
    .strictObject({
      releases: Duration.prefault('30s'),
      status: Duration.prefault('30s'),
      logs: Duration.prefault('20s'),
      /** Whole `fly deploy` call; keep it above rollback.waitTimeout × machines (rolling waits for each). */
      deploy: Duration.prefault('15m'),
    })
    .prefault({}),
  /**
   * flyctl processes run at once, across all targets (one poll is one process per target). More
   * wait their turn, rollback deploys and status checks first; see src/infra/exec/limiter.ts.
   */
  maxConcurrent: z.int().min(1).max(64).default(8),
  /**
   * Before a scheduled poll lists releases with flyctl, one GET on the Machines API shows whether
   * any release went live since the last listing; only then does flyctl run. Needs apiToken.
   */
  machinesApi: z
    .strictObject({
      enabled: z.boolean().default(true),
      /**
       * Default https://api.machines.dev, unless apiBaseUrl sends flyctl elsewhere (the
       * simulator, a proxy): then set this too, or the check is off.
       */
      url: z
        .url()
        .refine(isHttpsOrLoopback, 'must be https:// (the Fly token is sent with every request), or http:// on a loopback address')
        .optional(),
      timeout: Duration.prefault('5s'),
      /** List releases at least this often even when the machines show no change. */
      relistEvery: Duration.prefault('10m'),
    })
    .prefault({}),
});

export { AdminToken } from './admin-schema.ts';

export const RollbackGroup = z.strictObject({
  name: Name,
  /** Members, in the order they are rolled back (e.g. the worker before the API that feeds it). */
  targets: z.array(Name).min(2, 'a group needs at least two targets'),
  /** Releases of members created this close to the failing one count as the same ship. */
  window: Duration.prefault('10m'),
});

/**
 * A mobile app shipped over the air with Expo EAS Update. Manual only: an operator rolls it back
 * through the admin API or the CLI; the watchdog never does it on its own.
 */
export const MobileTarget = z.strictObject({
  name: Name,
  kind: z.literal('expo'),
  environment: Name.default('production'),
  /** The EAS Update branch the store builds read, e.g. `production`. */
  branch: z.string().regex(/^[A-Za-z0-9][\w.-]{0,99}$/, 'not an EAS branch name').default('production'),
  /** Absolute path of the Expo app (where app.json is): eas finds its project from there. */
  projectDir: z.string().regex(/^\//, 'must be an absolute path'),
  /** Passed as EXPO_TOKEN; write `${EXPO_TOKEN}`. */
  expoToken: z.string().min(1).optional(),
  binary: z.string().min(1).default('eas'),
  timeouts: z.strictObject({ list: Duration.prefault('1m'), republish: Duration.prefault('5m') }).prefault({}),
});
export type MobileTarget = z.infer<typeof MobileTarget>;

export const Config = z
  .strictObject({
    store: z
      .strictObject({
        /** The embedded default: one SQLite file, created with its directory on first start. */
        sqlite: z.string().min(1).default('data/watchdog.db'),
        /** A PostgreSQL URL (write `${DATABASE_URL}`); when set, it replaces the SQLite file. */
        postgres: z.string().regex(/^postgres(ql)?:\/\//, 'not a postgres:// URL').optional(),
        postgresSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'not a schema name').default('rollback_watchdog'),
        /**
         * Several replicas on one PostgreSQL (docs/ha.md); used only with `postgres`. Each target
         * (or rollback group) is guarded by one replica at a time, through a lease in the database.
         */
        replication: z
          .strictObject({
            /**
             * How long a lease lasts unrenewed: a dead replica's targets are taken over within
             * about this long (plus a third of it). A replica that cannot renew stops acting
             * after two thirds of it.
             */
            leaseTtl: Duration.prefault('15s').refine((ms) => ms >= 3_000 && ms <= 600_000, 'must be between 3s and 10m'),
            /** This replica's name in leases, logs and the journal. Default: host-pid-random. */
            replicaId: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'letters, digits and . _ : - only').optional(),
            /** How often a replica looks for actions forwarded to it and reloads operator controls. */
            commandPoll: Duration.prefault('500ms').refine((ms) => ms >= 50 && ms <= 10_000, 'must be between 50ms and 10s'),
            /** How long an admin request waits for the replica guarding the target to carry it out. */
            forwardTimeout: Duration.prefault('20s').refine((ms) => ms >= 1_000 && ms <= 300_000, 'must be between 1s and 5m'),
          })
          .prefault({}),
      })
      .prefault({}),
    admin: AdminSettings.prefault({}),
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
        /** Human-readable lines; defaults to on when stdout is a terminal. */
        pretty: z.boolean().optional(),
      })
      .prefault({}),
    platform: z.strictObject({ fly: FlySettings.prefault({}) }).prefault({}),
    /**
     * The watchdog's own network self-check: probe errors only count while this answers, so the
     * watchdog never rolls back because it lost the network. Default: the Fly API base URL.
     */
    connectivity: Connectivity.partial().optional(),
    detection: z
      .strictObject({
        /** node-cron expression (seconds field allowed) for polling `fly releases`. */
        pollSchedule: z.string().refine(isValidCron, 'not a valid cron expression').default('*/15 * * * * *'),
      })
      .prefault({}),
    defaults: z
      .strictObject({
        guard: GuardSettings.prefault({}),
        verify: VerifySettings.prefault({}),
        rollback: RollbackSettings.prefault({}),
      })
      .prefault({}),
    notifications: Notifications.prefault({}),
    incidents: z
      .strictObject({
        /** User-facing impact (first failed measurement → verified healthy) beyond which a post-mortem is required. */
        postmortemAfter: Duration.prefault('5m'),
      })
      .prefault({}),
    /** Global mode; a target's own `mode` wins. */
    mode: Mode.default('auto'),
    /** On SIGTERM, how long an in-flight rollback deploy may take to finish before we exit anyway. */
    shutdownGrace: Duration.prefault('30s'),
    targets: z.array(Target).default([]),
    /** Mobile apps whose over-the-air updates operators can roll back (manual only). */
    mobile: z.array(MobileTarget).default([]),
    /** Targets that ship together (API and worker of one commit) and roll back together. */
    groups: z.array(RollbackGroup).default([]),
  })
  .superRefine((config, ctx) => {
    if (config.targets.length === 0 && config.mobile.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['targets'], message: 'configure at least one target' });
    }
    const names = new Set(config.targets.map((t) => t.name));
    config.mobile.forEach((m, i) => {
      if (names.has(m.name)) ctx.addIssue({ code: 'custom', path: ['mobile', i, 'name'], message: `"${m.name}" is also a target name` });
    });
    const grouped = new Map<string, string>();
    config.groups.forEach((group, i) => {
      group.targets.forEach((member, j) => {
        if (!names.has(member)) ctx.addIssue({ code: 'custom', path: ['groups', i, 'targets', j], message: `no target named "${member}"` });
        const other = grouped.get(member);
        if (other) ctx.addIssue({ code: 'custom', path: ['groups', i, 'targets', j], message: `"${member}" is already in group "${other}"` });
        grouped.set(member, group.name);
      });
    });
    if (config.admin.tokens.length === 0 && !isLoopback(config.admin.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['admin', 'tokens'],
        message: `required when admin.host (${config.admin.host}) is not a loopback address`,
      });
    }
    const seen = new Set<string>();
    config.targets.forEach((target, i) => {
      if (seen.has(target.name)) {
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'name'], message: `duplicate target name "${target.name}"` });
      }
      seen.add(target.name);
      const probeNames = new Set<string>();
      target.probes.forEach((probe, j) => {
        if (probeNames.has(probe.name)) {
          ctx.addIssue({ code: 'custom', path: ['targets', i, 'probes', j, 'name'], message: `duplicate probe name "${probe.name}"` });
        }
        probeNames.add(probe.name);
      });
    });
  });
export type Config = z.infer<typeof Config>;
/** What a user writes, before defaults and duration parsing. */
export type ConfigInput = z.input<typeof Config>;
