/**
 * The target page's five-stage timeline (static/target/episode.js, plain browser JS with no DOM):
 * journal lines and the phase in, stage statuses out.
 */
import { describe, expect, it } from 'vitest';

interface Entry {
  at: string;
  kind: string;
  message: string;
  data?: Record<string, unknown>;
}
interface Stage {
  key: string;
  label: string;
  status: string;
  entry?: Entry;
}
interface EpisodeModule {
  currentEpisode(entries: Entry[]): Entry[];
  episodeVersion(episode: Entry[]): number | undefined;
  stages(episode: Entry[], phase: string): Stage[];
  moments(episode: Entry[]): { at: number; label: string }[];
}

const { currentEpisode, episodeVersion, moments, stages } = (await import(new URL('../../src/admin/ui/static/target/episode.js', import.meta.url).href)) as EpisodeModule;

let clock = Date.parse('2026-11-25T14:00:00Z');
/** Journal lines one second apart, oldest first. */
const journal = (...kinds: string[]): Entry[] =>
  kinds.map((kind) => ({ at: new Date((clock += 1000)).toISOString(), kind, message: kind, ...(kind === 'guard-started' && { data: { version: 7 } }) }));
const statuses = (entries: Entry[], phase: string) => Object.fromEntries(stages(currentEpisode(entries), phase).map((s) => [s.key, s.status]));

describe('the guard timeline stages', () => {
  it.each([
    ['guarding', ['guard-started'], 'guarding', { deploy: 'done', measure: 'active', verdict: 'pending', rollback: 'pending', verify: 'pending' }],
    ['passed', ['guard-started', 'guard-passed'], 'stable', { deploy: 'done', measure: 'done', verdict: 'done', rollback: 'skipped', verify: 'skipped' }],
    ['failed, rolling back', ['guard-started', 'release-failed', 'rollback-started'], 'rolling-back', { verdict: 'failed', rollback: 'active', verify: 'pending' }],
    ['rollback deployed, verifying', ['guard-started', 'release-failed', 'rollback-started', 'rollback-deployed'], 'verifying', { rollback: 'done', verify: 'active' }],
    ['verified', ['guard-started', 'release-failed', 'rollback-started', 'rollback-deployed', 'rollback-verified'], 'rolled-back', { rollback: 'done', verify: 'done' }],
    ['held for approval', ['guard-started', 'release-failed', 'rollback-held'], 'held', { verdict: 'failed', rollback: 'held', verify: 'pending' }],
    ['vetoed', ['guard-started', 'release-failed', 'rollback-held', 'rollback-vetoed'], 'idle', { rollback: 'skipped', verify: 'skipped' }],
    ['the deploy failed every time', ['guard-started', 'release-failed', 'rollback-started', 'rollback-deploy-retry', 'rollback-failed'], 'rollback-failed', { rollback: 'failed', verify: 'pending' }],
    ['deployed but not verified', ['guard-started', 'release-failed', 'rollback-started', 'rollback-deployed', 'rollback-failed'], 'rollback-failed', { rollback: 'done', verify: 'failed' }],
    ['superseded by a newer deploy', ['guard-started', 'guard-superseded'], 'idle', { verdict: 'skipped', rollback: 'skipped' }],
  ])('when %s then the stages say so', (_label, kinds, phase, expected) => {
    expect(statuses(journal(...kinds), phase)).toMatchObject(expected);
  });

  it('starts over at the latest deploy seen: an earlier release’s rollback does not leak into it', () => {
    const entries = journal('guard-started', 'release-failed', 'rollback-started', 'rollback-verified', 'guard-started');
    expect(currentEpisode(entries).map((e) => e.kind)).toEqual(['guard-started']);
    expect(statuses(entries, 'guarding')).toMatchObject({ verdict: 'pending', rollback: 'pending', verify: 'pending' });
  });

  it('names the release of the episode and the moments the chart marks, in order', () => {
    const episode = currentEpisode(journal('guard-passed', 'guard-started', 'release-failed', 'rollback-started', 'rollback-deployed', 'rollback-verified'));
    expect(episodeVersion(episode)).toBe(7);
    const marks = moments(episode);
    expect(marks.map((m) => m.label)).toEqual(['deploy', 'verdict', 'rollback', 'verified']);
    expect(marks.map((m) => m.at)).toEqual([...marks.map((m) => m.at)].sort((a, b) => a - b));
    expect(marks[0]!.at).toBe(Date.parse(episode[0]!.at));
  });
});
