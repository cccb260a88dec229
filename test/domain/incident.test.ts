import { describe, expect, it } from 'vitest';
import { applyClose, closeIncident, openIncident } from '../../src/domain/incident.ts';

const MINUTE = 60_000;
const opened = { id: 'inc-1', impactStartedAt: 1_000 };

describe('the incident lifecycle', () => {
  it.each([
    // label, recoveredAt, closedAt, postmortem required
    ['recovered after the threshold', 1_000 + 5 * MINUTE + 1, 1_000 + 10 * MINUTE, true],
    ['recovered exactly at the threshold', 1_000 + 5 * MINUTE, 1_000 + 10 * MINUTE, false],
    ['recovered quickly but closed late', 1_000 + MINUTE, 1_000 + 60 * MINUTE, false],
    ['never recovered: closedAt counts', undefined, 1_000 + 6 * MINUTE, true],
    ['never recovered, closed quickly', undefined, 1_000 + 4 * MINUTE, false],
  ] as const)('when %s then postmortemRequired is %s', (_label, recoveredAt, closedAt, required) => {
    const close = closeIncident(opened, 'rolled-back', closedAt, 5 * MINUTE, recoveredAt);
    expect(close).toEqual({ id: 'inc-1', outcome: 'rolled-back', closedAt, ...(recoveredAt !== undefined && { recoveredAt }), impactMs: (recoveredAt ?? closedAt) - 1_000, postmortemRequired: required });
  });

  it('applies a close once: a closed incident stays as it was', () => {
    const incident = openIncident({ id: 'inc-1', target: 'api', environment: 'production', version: 2, imageRef: 'img', reason: 'ready failed', openedAt: 1_000, impactStartedAt: 1_000, evidence: [] });
    const closed = applyClose(incident, closeIncident(opened, 'held', 2_000, 5 * MINUTE));
    expect(closed).toMatchObject({ status: 'closed', outcome: 'held', closedAt: 2_000, postmortemRequired: false });
    expect(applyClose(closed!, closeIncident(opened, 'vetoed', 99 * MINUTE, 5 * MINUTE))).toBeUndefined();
  });
});
