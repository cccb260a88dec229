/**
 * Response schemas of the admin API. They serialize every answer (unknown keys are stripped, so an
 * engine field added later is never leaked by accident) and feed the OpenAPI document at /docs.
 * Fields the engine may grow (probe tallies, hold kinds) stay loose so a change there is not a 500 here.
 */
import { z } from 'zod';
import type { Mode as PolicyMode } from '../domain/policy.ts';
import type { ReleaseOrigin, TargetPhase, Verdict as ReleaseVerdict } from '../domain/target-state.ts';
import { Mode } from './schema.ts';

/**
 * Compile-time guard: the enums below must list every value of the engine's union, or a new value
 * would fail response serialization (a 500) instead of the typecheck. `never` when they match.
 */
type Unlisted<Union, Listed extends readonly unknown[]> = Exclude<Union, Listed[number]>;
const allListed = <T extends never>(): T | undefined => undefined;

export const ErrorBody = z.object({ statusCode: z.number(), code: z.string(), error: z.string(), message: z.string() });

/** The error answers a route can give, each with the common error body (for the docs). */
export function errors<const S extends readonly number[]>(...statuses: S): Record<S[number], typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as Record<S[number], typeof ErrorBody>;
}

const PHASES = ['idle', 'guarding', 'stable', 'failing', 'rolling-back', 'verifying', 'rolled-back', 'rollback-failed', 'held'] as const;
const VERDICTS = ['pending', 'good', 'bad', 'unknown', 'unproven'] as const;
const ORIGINS = ['deploy', 'rollback'] as const;
allListed<Unlisted<TargetPhase, typeof PHASES>>();
allListed<Unlisted<ReleaseVerdict, typeof VERDICTS>>();
allListed<Unlisted<ReleaseOrigin, typeof ORIGINS>>();
allListed<Unlisted<PolicyMode, typeof Mode.options>>();

export const Phase = z.enum(PHASES);
const Iso = z.string().describe('ISO 8601 time');
const Ref = z.object({ version: z.number(), imageRef: z.string() });
const Tallies = z.record(z.string(), z.unknown()).describe('per-probe running counts');

export const TargetSummary = z.object({
  name: z.string(),
  app: z.string(),
  environment: z.string(),
  phase: Phase,
  since: Iso,
  reason: z.string().optional(),
  mode: Mode,
  paused: z.boolean(),
  hold: z.object({ kind: z.string(), reason: z.string() }).optional(),
  plan: z
    .object({ from: z.number(), to: z.number().optional(), imageRef: z.string().optional(), reason: z.string(), trigger: z.string() })
    .optional(),
  current: z.object({ version: z.number(), imageRef: z.string(), status: z.string() }).optional(),
  guard: z.object({ version: z.number(), imageRef: z.string(), endsAt: Iso, tallies: Tallies }).optional(),
  rollback: z
    .object({ from: z.number(), to: z.number(), imageRef: z.string(), rollbackVersion: z.number().optional(), attempts: z.number() })
    .optional(),
});

export const Targets = z.object({ targets: z.array(TargetSummary) });

export const ControlsView = z.object({
  paused: z.boolean().optional(),
  mode: Mode.optional(),
  by: z.string().optional(),
  at: Iso.optional(),
  reason: z.string().optional(),
});

export const Status = z.object({
  ready: z.boolean(),
  global: ControlsView.extend({ paused: z.boolean() }).describe('global pause and mode (mode absent: each target uses its config)'),
  targets: z.array(TargetSummary),
});

export const Release = z.object({
  version: z.number(),
  imageRef: z.string(),
  status: z.string(),
  createdAt: z.number().describe('epoch ms'),
  user: z.string(),
  description: z.string(),
  verdict: z.enum(VERDICTS),
  verdictReason: z.string().optional(),
  origin: z.enum(ORIGINS),
});

export const Releases = z.object({ target: z.string(), releases: z.array(Release) });

export const TargetDetail = TargetSummary.extend({
  controls: ControlsView.describe("this target's own operator controls (global ones are in /status)"),
  guardStartedAt: Iso.optional(),
  rollbackProgress: z
    .object({
      from: Ref,
      to: Ref,
      reason: z.string(),
      trigger: z.string(),
      requestedBy: z.string().optional(),
      decidedAt: Iso,
      issuedAt: Iso.optional(),
      attempts: z.number(),
      retryAt: Iso.optional(),
      lastError: z.string().optional(),
      rollbackVersion: z.number().optional(),
      verifyEndsAt: Iso.optional(),
      tallies: Tallies,
    })
    .optional(),
  currentRelease: Release.optional(),
  lastKnownGood: Release.optional().describe('newest release of origin deploy judged good'),
});

export const JournalView = z.object({
  target: z.string(),
  entries: z.array(
    z.object({
      id: z.number().optional(),
      at: Iso,
      kind: z.string(),
      message: z.string(),
      data: z.record(z.string(), z.unknown()).optional(),
      incidentId: z.string().optional().describe('set while the target had an open incident'),
    }),
  ),
});

export const AuditView = z.object({
  entries: z.array(
    z.object({
      id: z.number().optional(),
      at: Iso,
      actor: z.string(),
      role: z.string(),
      action: z.string(),
      target: z.string().optional(),
      params: z.record(z.string(), z.unknown()).optional(),
      status: z.number(),
      result: z.string(),
      count: z.number().optional().describe('requests this entry stands for (refusals are counted per source and minute); absent means one'),
      source: z.string().optional().describe("the client's address"),
    }),
  ),
});

export const ControlResult = z.object({
  scope: z.string().describe('a target name, or * for all targets'),
  controls: ControlsView,
  effective: z.object({ mode: Mode, paused: z.boolean() }).optional().describe('what the target now runs with (target scope only)'),
});

export const RollbackStarted = z.object({ target: TargetSummary, to: Ref, forced: z.boolean() });
export const Marked = z.object({ target: z.string(), version: z.number(), verdict: z.enum(['good', 'bad']) });
export const DeployAccepted = z.object({ target: z.string(), phase: Phase, lastSeenVersion: z.number() });

export const Gate = z.object({
  target: z.string(),
  image: z.string(),
  verdict: z.enum(['passed', 'pending', 'failed']),
  reason: z.string(),
  releases: z.array(z.object({ target: z.string(), version: z.number(), verdict: z.string(), verdictReason: z.string().optional() })),
});

/** Recent measurements for the status page's chart (in memory on the replica guarding the target). */
export const Series = z.object({
  target: z.string(),
  rates: z.array(
    z.object({
      at: Iso,
      version: z.number().optional(),
      phase: z.string(),
      rate: z.number(),
      baselineRate: z.number(),
      threshold: z.number(),
      requests: z.number(),
      errors: z.number(),
    }),
  ),
  probes: z.array(z.object({ at: Iso, check: z.string(), phase: z.string(), detail: z.string().optional() })),
});
