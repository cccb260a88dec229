import { describe, expect, it } from 'vitest';
import { judgeGate, type GateRelease } from '../../src/admin/gate.ts';
import { image, release } from '../guard/step/fixtures.ts';

const on = (target: string, ...releases: ReturnType<typeof release>[]): GateRelease[] => releases.map((r) => ({ target, release: r }));

describe('judgeGate', () => {
  it.each<[string, GateRelease[], 'passed' | 'pending' | 'failed']>([
    ['when the target judged the image good then passed', on('api', release(2, { verdict: 'good' })), 'passed'],
    ['when the image is still guarded there then pending', on('api', release(2, { verdict: 'pending' })), 'pending'],
    ['when the image was left unjudged then pending', on('api', release(2, { verdict: 'unknown' })), 'pending'],
    ['when the image never reached the target then pending', on('api', release(1, { verdict: 'good' })), 'pending'],
    ['when another target judged it good only then pending', on('staging', release(2, { verdict: 'good' })), 'pending'],
    ['when another target judged it bad then failed', [...on('api', release(2, { verdict: 'good' })), ...on('staging', release(7, { imageRef: image(2), verdict: 'bad' }))], 'failed'],
    ['when a later release of the target judged it bad then failed', on('api', release(3, { imageRef: image(2), verdict: 'bad' }), release(2, { verdict: 'good' })), 'failed'],
  ])('%s', (_label, releases, verdict) => {
    expect(judgeGate('api', image(2), releases).verdict).toBe(verdict);
  });

  it('names the bad release and lists every release carrying the image', () => {
    const result = judgeGate('api', image(2), [
      ...on('api', release(2, { verdict: 'pending' }), release(1, { verdict: 'good' })),
      ...on('staging', release(7, { imageRef: image(2), verdict: 'bad', verdictReason: 'error rate 12%' })),
    ]);
    expect(result.reason).toBe('image judged bad in v7 of staging (error rate 12%)');
    expect(result.releases).toEqual([
      { target: 'api', version: 2, verdict: 'pending' },
      { target: 'staging', version: 7, verdict: 'bad', verdictReason: 'error rate 12%' },
    ]);
  });
});
