import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITY, EVENT_KINDS, severityRank } from '../../src/domain/notification.ts';

describe('events', () => {
  it('ranks severities info < warning < critical', () => {
    expect(severityRank('info')).toBeLessThan(severityRank('warning'));
    expect(severityRank('warning')).toBeLessThan(severityRank('critical'));
  });

  it('keeps the kinds stable: receivers and configs depend on these exact strings', () => {
    expect(EVENT_KINDS).toEqual([
      'deploy-guarded',
      'release-failing',
      'rollback-started',
      'rollback-finished',
      'rollback-failed',
      'rollback-held',
      'postmortem-required',
      'known-bad-image-redeployed',
      'release-unproven',
    ]);
  });

  it('makes a failed or held rollback critical by default', () => {
    expect(DEFAULT_SEVERITY['rollback-failed']).toBe('critical');
    expect(DEFAULT_SEVERITY['rollback-held']).toBe('critical');
    expect(Object.keys(DEFAULT_SEVERITY)).toEqual([...EVENT_KINDS]);
  });
});
