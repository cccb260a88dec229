import { describe, expect, it } from 'vitest';
import { Readiness } from '../../src/infra/readiness.ts';
import { captureLogger } from '../fakes/logger.ts';

describe('Readiness', () => {
  it('is not ready while any scope holds a reason, logs each change once, and reports a count per reason', () => {
    const { logger, records } = captureLogger();
    const readiness = new Readiness({ logger, now: () => 5 });
    const counts: [string, number][] = [];
    readiness.onChange((reason, count) => counts.push([reason, count]));
    readiness.fail('guard-steps-failing', 'api', 'SQLITE_BUSY: database is locked');
    readiness.fail('guard-steps-failing', 'api', 'again');
    readiness.fail('guard-steps-failing', 'worker', 'SQLITE_FULL');
    expect(readiness.ok).toBe(false);
    expect(readiness.troubles()).toEqual([
      { reason: 'guard-steps-failing', scope: 'api', since: 5 },
      { reason: 'guard-steps-failing', scope: 'worker', since: 5 },
    ]);
    readiness.clear('guard-steps-failing', 'api');
    readiness.clear('guard-steps-failing', 'api');
    readiness.clear('guard-steps-failing', 'worker');
    expect(readiness.ok).toBe(true);
    expect(counts).toEqual([['guard-steps-failing', 1], ['guard-steps-failing', 2], ['guard-steps-failing', 1], ['guard-steps-failing', 0]]);
    expect(records.map((r) => r.msg)).toEqual(['not ready', 'not ready', 'ready again', 'ready again']);
  });
});
