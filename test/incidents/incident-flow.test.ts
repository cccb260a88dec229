import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openRunner } from '../guard/runner/open-runner.ts';
import type { RollbackPolicy } from '../../src/domain/policy.ts';
import { renderPostmortem } from '../../src/incidents/postmortem.ts';
import { FakePlatform } from '../fakes/fake-platform.ts';
import { image, policy as autoPolicy, target } from '../guard/step/fixtures.ts';

// A whole incident on a fake clock: a bad release held for approval for six minutes, then rolled back.
describe('incident lifecycle', () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.UTC(2026, 10, 25, 12, 0, 0) }));
  afterEach(() => vi.useRealTimers());

  it('records timeline, evidence and impact, and requires a post-mortem past 5 minutes', async () => {
    const platform = new FakePlatform();
    platform.logLines = Array.from({ length: 80 }, (_, i) => `2026-11-25T12:00:${String(i % 60).padStart(2, '0')}Z app[148e] iad [error]request ${i} failed`);
    let policy: RollbackPolicy = { ...autoPolicy, mode: 'approve' };
    platform.release('api', image(1));
    const { runner, store, probe } = await openRunner({ platform, policy: () => policy });
    runner.start();
    await runner.pollReleases();
    await vi.advanceTimersByTimeAsync(target.guard.watchWindow + target.guard.probeInterval);
    platform.release('api', image(2));
    await runner.pollReleases();
    probe.phase = 'failed';
    await vi.advanceTimersByTimeAsync(target.guard.probeInterval * 3);
    expect(runner.state.phase).toBe('held');
    const [open] = await store.listIncidents({ target: 'api' });
    expect(open).toMatchObject({ status: 'open', version: 2, postmortemRequired: false });

    await vi.advanceTimersByTimeAsync(6 * 60_000); // nobody answers the page for six minutes
    probe.phase = 'successful';
    policy = autoPolicy;
    await runner.command({ kind: 'approve', by: 'alice' });
    await vi.advanceTimersByTimeAsync(target.guard.probeInterval * target.verify.successes);
    expect(runner.state.phase).toBe('rolled-back');

    const incident = (await store.getIncident(open!.id))!;
    expect(incident).toMatchObject({ status: 'closed', outcome: 'rolled-back', postmortemRequired: true });
    expect(incident.recoveredAt! - incident.impactStartedAt).toBeGreaterThan(6 * 60_000);
    expect(incident.evidence.map((e) => e.kind)).toEqual(['measurements', 'fly-logs']);
    expect(incident.evidence[1]).toMatchObject({ kind: 'fly-logs', lines: expect.arrayContaining([expect.stringContaining('request 79 failed')]) });
    expect((incident.evidence[1] as { lines: string[] }).lines).toHaveLength(50);
    const timeline = await store.incidentTimeline(incident.id);
    expect(timeline.map((e) => e.kind)).toEqual([
      'release-failed', 'rollback-held', 'rollback-approved', 'rollback-started',
      'rollback-release-seen', 'rollback-deployed', 'rollback-verified',
    ]);
    const md = renderPostmortem(incident, timeline, Date.now());
    for (const section of ['## Summary', '## Impact', '## Timeline', '## Evidence', '## Root cause', '## Follow-ups']) expect(md).toContain(section);
    await runner.stop(0);
  });
});
