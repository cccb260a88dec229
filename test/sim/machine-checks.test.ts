import { describe, expect, it } from 'vitest';
import { machineChecks } from '../../src/sim/machine-checks.ts';
import { parseProfile } from '../../src/sim/profile.ts';
import { mulberry32 } from '../../src/sim/prng.ts';

const statuses = (spec: string, seed = 1) => machineChecks(parseProfile(spec), mulberry32(seed), 0).map((c) => c.status);

describe('machineChecks', () => {
  it.each([
    ['healthy', ['passing', 'passing']],
    ['down', ['critical', 'critical']],
    ['unready', ['passing', 'critical']],
    ['slow:100', ['passing', 'passing']],
    ['slow:5000', ['critical', 'critical']],
    ['errors:100', ['critical', 'critical']],
  ])('when %s then health/ready checks are %j', (spec, expected) => {
    expect(statuses(spec)).toEqual(expected);
  });

  it('names checks like Fly service checks', () => {
    expect(machineChecks(parseProfile('healthy'), mulberry32(1), 0).map((c) => c.name)).toEqual([
      'servicecheck-00-http-8080',
      'servicecheck-01-http-8080',
    ]);
  });

  it('fails errors:P checks about P% of the time', () => {
    const rng = mulberry32(3);
    const critical = Array.from({ length: 1000 }, () => machineChecks(parseProfile('errors:30'), rng, 0)[0]?.status).filter((s) => s === 'critical');
    expect(critical.length).toBeGreaterThan(250);
    expect(critical.length).toBeLessThan(350);
  });
});
