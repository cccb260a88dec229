import { describe, expect, it } from 'vitest';
import { renderPostmortem } from '../../src/incidents/postmortem.ts';
import type { Incident } from '../../src/domain/incident.ts';

const incident: Incident = {
  id: 'api-v2-20261125T120000Z',
  target: 'api',
  environment: 'production',
  version: 2,
  imageRef: 'registry.fly.io/api:deployment-01J',
  reason: 'ready failed 3× in a row (503)',
  status: 'closed',
  openedAt: Date.UTC(2026, 10, 25, 12, 0, 0),
  impactStartedAt: Date.UTC(2026, 10, 25, 11, 59, 0),
  recoveredAt: Date.UTC(2026, 10, 25, 12, 6, 30),
  closedAt: Date.UTC(2026, 10, 25, 12, 6, 30),
  outcome: 'rolled-back',
  postmortemRequired: true,
  evidence: [
    { kind: 'measurements', at: Date.UTC(2026, 10, 25, 12, 0, 0), lines: ['ready: failed — 503 (expected 200)'] },
    { kind: 'fly-logs', at: Date.UTC(2026, 10, 25, 12, 0, 1), lines: ['2026-11-25T12:00:00Z app[1] iad [error]boom'] },
  ],
};

describe('renderPostmortem', () => {
  it('has every section, with the facts filled in', () => {
    const md = renderPostmortem(incident, [{ target: 'api', at: incident.openedAt, kind: 'release-failed', message: 'v2 failed | badly' }], incident.closedAt!);
    for (const section of ['## Summary', '## Impact', '## Timeline', '## Evidence', '## Root cause', '## Follow-ups']) expect(md).toContain(section);
    expect(md).toContain('User-facing impact: **7m30s** (over the post-mortem threshold)');
    expect(md).toContain('| 2026-11-25T12:00:00Z | release-failed | v2 failed \\| badly |');
    expect(md).toContain('2026-11-25T12:00:00Z app[1] iad [error]boom');
    expect(md).toContain('staging → smoke tests → production');
  });
});
