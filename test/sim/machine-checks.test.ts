import { describe, expect, it } from 'vitest';
import { DEFAULT_CHECKS, machineChecks } from '../../src/sim/machine-checks.ts';
import { parseProfile } from '../../src/sim/profile.ts';
import { mulberry32 } from '../../src/sim/prng.ts';

const statuses = (spec: string, seed = 1) => machineChecks(parseProfile(spec), DEFAULT_CHECKS, mulberry32(seed), 0).map((c) => c.status);

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
    expect(machineChecks(parseProfile('healthy'), DEFAULT_CHECKS, mulberry32(1), 0).map((c) => c.name)).toEqual([
      'servicecheck-00-http-8080',
      'servicecheck-01-http-8080',
    ]);
  });

  it('fails a check on a path the app does not serve, or on another port, and passes a top-level one it serves', () => {
    const specs = [
      { name: 'alive', type: 'http' as const, port: 8080, path: '/healthz' },
      { name: 'admin', type: 'http' as const, port: 9090, path: '/api/v1/health' },
      { name: 'health', type: 'http' as const, port: 8080, path: '/api/v1/health' },
      { name: 'tcp', type: 'tcp' as const, port: 8080, path: '' },
    ];
    expect(machineChecks(parseProfile('healthy'), specs, mulberry32(1), 0).map((c) => [c.name, c.status, c.output.split(':')[0]])).toEqual([
      ['alive', 'critical', 'HTTP GET http'],
      ['admin', 'critical', 'Get "http'],
      ['health', 'passing', 'HTTP GET http'],
      ['tcp', 'passing', 'Success'],
    ]);
  });

  it('fails errors:P checks about P% of the time', () => {
    const rng = mulberry32(3);
    const critical = Array.from({ length: 1000 }, () => machineChecks(parseProfile('errors:30'), DEFAULT_CHECKS, rng, 0)[0]?.status).filter((s) => s === 'critical');
    expect(critical.length).toBeGreaterThan(250);
    expect(critical.length).toBeLessThan(350);
  });
});
