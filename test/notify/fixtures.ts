import type { NotifyEvent } from '../../src/domain/notification.ts';

const at = Date.UTC(2025, 4, 6, 12, 0, 0);
const base = { target: 'api', environment: 'production', at, incidentId: 'inc-7' } as const;
const v42 = { version: 42, imageRef: 'registry.fly.io/api:deployment-01HBAD' };
const v41 = { version: 41, imageRef: 'registry.fly.io/api:deployment-01HGOOD' };

/** One event of every kind, as the engine would emit it. */
export const EVENTS = {
  'deploy-guarded': { ...base, kind: 'deploy-guarded', severity: 'info', release: v42, user: 'alice@example.com' },
  'release-failing': {
    ...base,
    kind: 'release-failing',
    severity: 'warning',
    release: v42,
    reason: 'health failed 3 rounds in a row',
    measurements: ['health: 503 from /ready (3 in a row)', 'error rate 4.2% > 1%'],
  },
  'rollback-started': { ...base, kind: 'rollback-started', severity: 'warning', from: v42, to: v41, reason: 'health failed', trigger: 'automatic' },
  'rollback-finished': { ...base, kind: 'rollback-finished', severity: 'info', from: v42, to: v41, verified: true, durationMs: 125_000 },
  'rollback-failed': { ...base, kind: 'rollback-failed', severity: 'critical', from: v42, to: v41, reason: 'fly deploy timed out' },
  'rollback-held': {
    ...base,
    kind: 'rollback-held',
    severity: 'critical',
    cause: 'migration-boundary',
    reason: 'v42 ran migration 2025_05_add_index',
    from: v42,
    to: v41,
    actions: [
      { label: 'approve', command: 'rollback-watchdog approve api' },
      { label: 'veto', command: 'rollback-watchdog veto api' },
    ],
  },
  'postmortem-required': { ...base, kind: 'postmortem-required', severity: 'warning', incidentId: 'inc-7', impactMs: 720_000, reason: 'users saw 503s' },
  'known-bad-image-redeployed': {
    ...base,
    kind: 'known-bad-image-redeployed',
    severity: 'warning',
    release: { version: 43, imageRef: v42.imageRef },
    user: 'bob@example.com',
    previousReason: 'health failed',
  },
  'release-unproven': { ...base, kind: 'release-unproven', severity: 'warning', release: v42, reason: 'the error rate was never judged within bounds (0/0 errors (no traffic))' },
} as const satisfies { [K in NotifyEvent['kind']]: Extract<NotifyEvent, { kind: K }> };

export const ALL_EVENTS: NotifyEvent[] = Object.values(EVENTS);
