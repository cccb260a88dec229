/**
 * Wires the daemon together: store, platform adapter, watchdog, admin server. The only module that
 * listens on a port; the CLI's `run` command calls it and owns the process signals.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { TokenAuth } from './admin/auth.ts';
import { adminOptions } from './admin/limits.ts';
import { systemClock, type Clock } from './infra/clock.ts';
import type { LoadedConfig } from './config/load.ts';
import { resolveTargets } from './config/resolve.ts';
import { deprecatedSettings } from './config/deprecations.ts';
import { Watchdog } from './guard/watchdog.ts';
import { createLogger, type Logger } from './infra/log.ts';
import { PromMetrics } from './metrics/prom.ts';
import { FlyPlatform } from './platform/fly/fly-platform.ts';
import { resolveMachinesApi } from './platform/fly/machines-api.ts';
import type { Platform } from './platform/types.ts';
import { targetSignals } from './signals/target-signals.ts';
import { SqliteStore } from './store/sqlite-store.ts';
import { Notifier } from './notify/notifier.ts';
import { PromNotifyMetrics } from './notify/prom-notify-metrics.ts';
import type { Store, Transition } from './store/types.ts';
import type { MobileApp } from './admin/mobile-routes.ts';
import type { Replication } from './guard/watchdog.ts';
import { DECISION_KINDS, isDecisionKind } from './domain/decision-kinds.ts';
import { WD_ERR_CONFIG_INVALID } from './infra/errors.ts';
import { Readiness } from './infra/readiness.ts';

/** On shutdown, how long queued notifications may still be delivered. */
const NOTIFY_DRAIN_MS = 5_000;

/**
 * Crash-test failpoint (like etcd's gofail): `crash-after:<decision>` kills the process with SIGKILL
 * right after a transition recording that decision is stored, before its actions run. This is the
 * only way to stop the daemon between "decided" and "deployed" deterministically; unset in production.
 */
function failpoint(spec: string | undefined, logger: Logger): { afterTransition?: (t: Transition) => void } {
  if (spec === undefined || spec === '') return {};
  const kind = spec.match(/^crash-after:([a-z-]+)$/)?.[1];
  // A misspelt failpoint would silently never fire, and the crash test would test nothing.
  if (!kind || !isDecisionKind(kind)) throw new WD_ERR_CONFIG_INVALID(`ROLLBACK_WATCHDOG_FAILPOINT: "${spec}" is not crash-after:<decision kind>; kinds: ${DECISION_KINDS.join(', ')}`);
  logger.warn({ failpoint: spec }, 'failpoint armed: this process will kill itself');
  return {
    afterTransition: (t) => {
      if (t.journal.some((j) => j.kind === kind)) process.kill(process.pid, 'SIGKILL');
    },
  };
}

export interface DaemonOptions {
  logger?: Logger;
  clock?: Clock;
  /** Replaces the Fly adapter (tests). */
  platform?: Platform;
}

export interface Daemon {
  readonly app: FastifyInstance;
  readonly watchdog: Watchdog;
  readonly store: Store;
  readonly logger: Logger;
  /** `http://host:port` the admin server listens on. */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startDaemon({ config, secrets }: LoadedConfig, options: DaemonOptions = {}): Promise<Daemon> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.log.level, pretty: config.log.pretty, secrets });
  const readiness = new Readiness({ logger, now: () => clock.now() });
  // PostgreSQL, replication and Expo are loaded only when configured: a single SQLite daemon
  // never pays for their modules (pg alone is about 10 MB of RSS).
  const store: Store = config.store.postgres
    ? await (await import('./store/postgres-store.ts')).PostgresStore.open(config.store.postgres, {
        schema: config.store.postgresSchema,
        onError: (err) => logger.warn({ err }, 'idle database connection failed'),
        // A write whose connection went silent (a network cut) fails instead of waiting forever.
        queryTimeoutMs: 40_000,
      })
    : new SqliteStore(config.store.sqlite, {
        // Writes wait out another process's lock off the event loop; /readyz says so meanwhile.
        lockWait: {
          stalled: (detail) => readiness.fail('store-locked', 'store', detail),
          recovered: () => readiness.clear('store-locked', 'store'),
        },
      });
  const coordination = config.store.postgres
    ? new (await import('./ha/pg-coordination.ts')).PgCoordination(config.store.postgres, {
        schema: config.store.postgresSchema,
        queryTimeoutMs: Math.floor(config.store.replication.leaseTtl / 3),
        onError: (err) => logger.warn({ err }, 'idle lease connection failed'),
      })
    : undefined;
  // The last resort: a promise nobody handled is logged (masked, as JSON) and the daemon reports
  // itself not ready, rather than dying in the middle of a rollback.
  const unhandled = (reason: unknown) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
    readiness.fail('unexpected-error', 'process', reason instanceof Error ? reason.message : String(reason));
  };
  process.on('unhandledRejection', unhandled);
  /** Everything after the store: platform, notifier, watchdog, admin server; then start. */
  async function wire() {
    for (const d of deprecatedSettings(config)) logger.warn({ setting: d.path, why: d.replacement }, 'deprecated setting is ignored');
    const fly = config.platform.fly;
    const machinesApi = resolveMachinesApi(fly.machinesApi, fly);
    if (!options.platform && 'off' in machinesApi) {
      logger.info({ reason: machinesApi.off }, 'release polls list releases every time (no Machines API check)');
    }
    const platform =
      options.platform ??
      new FlyPlatform({
        binary: fly.binary,
        apiToken: fly.apiToken,
        apiBaseUrl: fly.apiBaseUrl,
        timeouts: fly.timeouts,
        maxConcurrent: fly.maxConcurrent,
        ...('url' in machinesApi && { machinesApi }),
        secrets,
        logger: logger.child({ component: 'fly' }),
      });
    const metrics = new PromMetrics();
    readiness.onChange((reason, count) => metrics.setNotReady(reason, count));
    const notifier = new Notifier({
      config: config.notifications,
      logger: logger.child({ component: 'notify' }),
      secrets,
      clock,
      metrics: new PromNotifyMetrics(metrics.registry),
    });
    const targets = resolveTargets(config);
    let replication: Replication | undefined;
    if (coordination) {
      const { defaultReplicaId, LeaseManager } = await import('./ha/lease-manager.ts');
      const r = config.store.replication;
      const replicaId = r.replicaId ?? defaultReplicaId();
      replication = {
        commands: coordination,
        commandPollMs: r.commandPoll,
        forwardTimeoutMs: r.forwardTimeout,
        leases: (hooks, shards) =>
          new LeaseManager({ ...hooks, table: coordination, replicaId, shards, ttlMs: r.leaseTtl, clock, logger: logger.child({ component: 'leases', replica: replicaId }) }),
      };
    }
    const watchdog = await Watchdog.open({
      targets,
      groups: config.groups,
      pollSchedule: config.detection.pollSchedule,
      relistAfterMs: fly.machinesApi.relistEvery,
      platform,
      store,
      signals: (target) =>
        targetSignals(target, {
          clock,
          secrets,
          platform,
          connectivity: { url: config.connectivity?.url ?? fly.apiBaseUrl ?? 'https://api.fly.io', timeout: config.connectivity?.timeout ?? 5_000 },
        }),
      clock,
      logger,
      metrics,
      postmortemAfterMs: config.incidents.postmortemAfter,
      notify: (event) => notifier.notify(event),
      secrets,
      readiness,
      ...(replication && { replication }),
      ...failpoint(process.env.ROLLBACK_WATCHDOG_FAILPOINT, logger),
    });
    const mobile = new Map<string, MobileApp>();
    if (config.mobile.length > 0) {
      const { EasPlatform } = await import('./platform/expo/eas-platform.ts');
      for (const m of config.mobile) {
        const eas = new EasPlatform({ binary: m.binary, projectDir: m.projectDir, timeouts: m.timeouts, secrets, logger: logger.child({ component: 'eas', mobile: m.name }), ...(m.expoToken && { expoToken: m.expoToken }) });
        mobile.set(m.name, { name: m.name, environment: m.environment, branch: m.branch, eas });
      }
    }
    const app = buildApp({
      watchdog,
      store,
      clock,
      auth: new TokenAuth(config.admin.tokens),
      logger,
      registry: metrics.registry,
      countAction: (action, outcome) => metrics.incAdminAction(action, outcome),
      mobile,
      readiness,
      secrets,
      ...adminOptions(config.admin),
    });
    const url = await app.listen({ host: config.admin.host, port: config.admin.port });
    logger.info(
      {
        url,
        targets: targets.map((t) => `${t.name} (${t.environment})`),
        // Never the URL: it holds the database password.
        store: config.store.postgres ? `postgres (schema ${config.store.postgresSchema})` : config.store.sqlite,
        ...(replication && { replication: `leases of ${config.store.replication.leaseTtl} ms` }),
      },
      'rollback-watchdog started',
    );
    await watchdog.start();
    return { app, watchdog, notifier, url };
  }
  // A failed start must not leave the store open: an open PostgreSQL pool keeps the process alive.
  const { app, watchdog, notifier, url } = await wire().catch(async (err: unknown) => {
    await coordination?.close().catch(() => undefined);
    await store.close();
    throw err;
  });

  let stopping: Promise<void> | undefined;
  return {
    app,
    watchdog,
    store,
    logger,
    url,
    stop: () =>
      (stopping ??= (async () => {
        logger.info('stopping: no new guards or rollbacks will start');
        await watchdog.stop(config.shutdownGrace);
        // What the shutdown itself decided (e.g. a rollback finishing) still deserves a message.
        await notifier.stop(NOTIFY_DRAIN_MS);
        await app.close();
        await coordination?.close();
        await store.close();
        process.off('unhandledRejection', unhandled);
        logger.info('stopped');
      })()),
  };
}
