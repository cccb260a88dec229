/**
 * The config file's shape. One zod schema is the single source of truth: it validates the YAML,
 * gives the TypeScript types, and generates config/watchdog.schema.json for editors.
 * Objects are strict so a misspelt key is an error, not a silently ignored setting.
 */
import { z } from 'zod';
import { validate as isValidCron } from 'node-cron';
import { Duration } from '../infra/duration.ts';
import { AdminSettings } from './admin-schema.ts';
import { ErrorRate, errorRateSettingIssues, Latency } from './error-rate-schema.ts';
import { FlySettings, isLoopback } from './fly-schema.ts';
import { MobileTarget } from './mobile-schema.ts';
import { FlyAppName, Name } from './names.ts';
import { Notifications } from './notify-schema.ts';
import { MigrationSource } from './signal-schemas.ts';
import {
  Connectivity,
  httpProbeAnswerFields,
  PlatformChecks,
  SmokeTest,
} from './signal-schemas.ts';

export { Duration };

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

export { AdminToken } from './admin-schema.ts';

export const RollbackGroup = z.strictObject({
  name: Name,
  /** Members, in the order they are rolled back (e.g. the worker before the API that feeds it). */
  targets: z.array(Name).min(2, 'a group needs at least two targets'),
  /** Releases of members created this close to the failing one count as the same ship. */
  window: Duration.prefault('10m'),
});

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
      if (target.errorRate) {
        const watchWindow = target.guard?.watchWindow ?? config.defaults.guard.watchWindow;
        for (const { field, message } of errorRateSettingIssues(target.errorRate, watchWindow)) {
          ctx.addIssue({ code: 'custom', path: ['targets', i, 'errorRate', field], message });
        }
      }
    });
  });
export type Config = z.infer<typeof Config>;
/** What a user writes, before defaults and duration parsing. */
export type ConfigInput = z.input<typeof Config>;
