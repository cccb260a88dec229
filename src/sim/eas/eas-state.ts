/**
 * The fake eas keeps its whole world in one JSON file: the update groups per branch (what tests
 * seed), the invocations it received and the faults to inject (what tests read back and set).
 * Each invocation reads it, may change it, and writes it back atomically (temp file + rename).
 * Invocations are meant to run one at a time, as EasPlatform's callers do.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

export const SimPlatform = z.enum(['android', 'ios']);
export type SimPlatform = z.infer<typeof SimPlatform>;

export const SimGroup = z.object({
  group: z.string().min(1),
  branch: z.string().min(1),
  /** Omitted: published without a message (list shows only `(<when> by <who>)`). */
  message: z.string().optional(),
  runtimeVersion: z.string().min(1),
  platforms: z.array(SimPlatform).min(1).default(['android', 'ios']),
  /** ISO 8601. Groups list newest first; ties go to the one added later. */
  createdAt: z.iso.datetime({ offset: true }),
  /** Display name, as eas prints an actor: `alice`, `ci-bot (robot)`. */
  actor: z.string().default('anonymous'),
  isRollBackToEmbedded: z.boolean().default(false),
  gitCommitHash: z.string().optional(),
  /** Per-platform update ids; derived from the group id when seeded without them. */
  updateIds: z.partialRecord(SimPlatform, z.string()).default({}),
  /** What devices download; a republish copies it, which is how "points back" can be checked. */
  manifestFragment: z.string().optional(),
  /** Fake only: the group this one republished. */
  republishedFrom: z.string().optional(),
});
export type SimGroup = z.infer<typeof SimGroup>;
export type SimGroupSeed = z.input<typeof SimGroup>;

export const SimCommand = z.enum(['update:list', 'update:republish']);
export type SimCommand = z.infer<typeof SimCommand>;
/** hang: never answers; garbage: non-JSON, exit 0; wrong-shape: JSON of another shape, exit 0;
 * exit1: a network failure; bad-token: an auth error that echoes the token (tests masking). */
export const SimFault = z.enum(['hang', 'garbage', 'wrong-shape', 'exit1', 'bad-token']);
export type SimFault = z.infer<typeof SimFault>;

export const SimInvocation = z.object({
  argv: z.array(z.string()),
  cwd: z.string(),
  /** CI as received; the token itself is never written here, only whether one was set. */
  ci: z.string().optional(),
  tokenSet: z.boolean(),
});
export type SimInvocation = z.infer<typeof SimInvocation>;

export const SimState = z.object({
  /** Fixed "now" (ISO) for deterministic `x hours ago` and createdAt; default: the real clock. */
  now: z.iso.datetime({ offset: true }).optional(),
  /** When set, EXPO_TOKEN must equal it (like a revoked or foreign token failing on the server). */
  token: z.string().optional(),
  /** Who the token belongs to, recorded as the actor of republished groups. */
  actor: z.string().default('rollback-watchdog (robot)'),
  /** Branches that exist without groups; a branch with groups always exists. */
  branches: z.array(z.string()).default([]),
  groups: z.array(SimGroup).default([]),
  faults: z.partialRecord(SimCommand, SimFault).default({}),
  invocations: z.array(SimInvocation).default([]),
});
export type SimState = z.infer<typeof SimState>;
export type SimStateSeed = z.input<typeof SimState>;

/** Reads and validates the state file, completing seeded groups; a missing file is an empty world. */
export function readState(path: string): SimState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return SimState.parse({});
    throw err;
  }
  const state = SimState.parse(JSON.parse(text));
  return { ...state, groups: state.groups.map(completeGroup) };
}

export function writeState(path: string, state: SimState): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

export function simNow(state: SimState): Date {
  return state.now ? new Date(state.now) : new Date();
}

/** Groups on `branch` (all branches when undefined), newest first. */
export function groupsNewestFirst(state: SimState, branch?: string): SimGroup[] {
  return state.groups
    .map((g, i) => ({ g, i }))
    .filter(({ g }) => branch === undefined || g.branch === branch)
    .sort((a, b) => Date.parse(b.g.createdAt) - Date.parse(a.g.createdAt) || b.i - a.i)
    .map(({ g }) => g);
}

export function branchExists(state: SimState, branch: string): boolean {
  return state.branches.includes(branch) || state.groups.some((g) => g.branch === branch);
}

/** A UUID-shaped id derived from `seed`, so the same thing prints the same id on every run. */
export function stableId(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function branchId(branch: string): string {
  return stableId(`branch:${branch}`);
}

/** Fills the ids and manifest a real publish would have created, deterministically. */
export function completeGroup(group: SimGroup): SimGroup {
  const updateIds = { ...group.updateIds };
  for (const p of group.platforms) updateIds[p] ??= stableId(`update:${group.group}:${p}`);
  const manifestFragment = group.manifestFragment ?? JSON.stringify({ launchAsset: { storageKey: `bundle-${group.group}` } });
  return { ...group, updateIds, manifestFragment };
}
