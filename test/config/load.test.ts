import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { resolveTargets } from '../../src/config/resolve.ts';
import { parseDuration, formatGoDuration } from '../../src/infra/duration.ts';

const minimal = `
targets:
  - name: api
    probes:
      - { name: health, url: "http://127.0.0.1:8080/api/v1/health" }
`;

function problemsOf(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(yaml, env);
  } catch (err) {
    expect(err).toMatchObject({ code: 'WD_ERR_CONFIG_INVALID' });
    return (err as { problems: string[] }).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseConfig', () => {
  it('fills every default from a minimal file', () => {
    const { config } = parseConfig(minimal, {});
    const [api] = resolveTargets(config);
    expect(api).toMatchObject({
      name: 'api',
      app: 'api',
      environment: 'production',
      guard: { watchWindow: 600_000, probeInterval: 10_000, failureThreshold: 3 },
      verify: { timeout: 300_000, successes: 3 },
      rollback: { waitTimeout: 300_000 },
    });
    // No --strategy by default: the app's own, and nothing written into its stored config.
    expect(api?.rollback.strategy).toBeUndefined();
    expect(api?.probes[0]).toMatchObject({ type: 'http', method: 'GET', expectStatus: [200], timeout: 5000 });
    expect(config.store.sqlite).toBe('data/watchdog.db');
  });

  it('merges per-target settings over the defaults field by field', () => {
    const yaml = `
defaults: { guard: { probeInterval: 20s } }
targets:
  - name: api
    guard: { watchWindow: 5m }
    probes: [{ name: health, url: "http://127.0.0.1/" }]
`;
    const [api] = resolveTargets(parseConfig(yaml, {}).config);
    expect(api?.guard).toEqual({ watchWindow: 300_000, probeInterval: 20_000, failureThreshold: 3, minConclusiveRounds: 3, stuckAfter: 900_000 });
  });

  it('names the path of every problem, one line each', () => {
    const yaml = `
defaults: { guard: { probeInterval: -5s }, bogus: 1 }
targets:
  - name: api
    probes:
      - { name: health, url: "http://127.0.0.1/" }
      - { name: ready, url: "not a url" }
`;
    expect(problemsOf(yaml)).toEqual([
      'defaults.guard.probeInterval: expected a positive duration such as 500ms, 30s, 10m or 1h30m',
      'defaults.bogus: unknown key',
      'targets[0].probes[1].url: Invalid URL',
    ]);
  });

  it.each([
    ['an empty target list', 'targets: []', 'targets: configure at least one target'],
    ['a target without probes', 'targets: [{ name: api, probes: [] }]', 'targets[0].probes: a target needs at least one probe'],
    ['a bad cron expression', `detection: { pollSchedule: "nope" }\n${minimal}`, 'detection.pollSchedule: not a valid cron expression'],
    ['an open admin API on a public address', `admin: { host: 0.0.0.0 }\n${minimal}`, 'admin.tokens: required when admin.host (0.0.0.0) is not a loopback address'],
    ['a zero interval', `defaults: { guard: { probeInterval: 0s } }\n${minimal}`, 'defaults.guard.probeInterval: expected a positive duration such as 500ms, 30s, 10m or 1h30m'],
    ['a non-https URL scheme', 'targets: [{ name: api, probes: [{ name: h, url: "ftp://x/" }] }]', 'targets[0].probes[0].url: Invalid URL'],
  ])('rejects %s', (_label, yaml, problem) => {
    expect(problemsOf(yaml)).toContain(problem);
  });

  describe('error-rate settings the test could never use', () => {
    const withErrorRate = (settings: string, guard = '') => `
targets:
  - name: api
    probes: [{ name: health, url: "http://127.0.0.1:8080/api/v1/health" }]${guard}
    errorRate: { source: { type: scrape, urls: ["http://127.0.0.1:8080/metrics"] }, ${settings} }
`;
    // Each of these used to load and then leave every guarded release unproven ('invalid-spec'),
    // or never let the error rate fail one.
    it.each([
      ['a ceiling at the floor', 'ceiling: 0.02, absoluteFloor: 0.02', 'targets[0].errorRate.ceiling: must be above absoluteFloor'],
      ['a baseline share of alpha above alpha', 'alpha: 0.001, baselineAlpha: 0.002', 'targets[0].errorRate.baselineAlpha: must be in (0, alpha)'],
      ['a bursty minimum below the plain one', 'minDecision: 30s, burstyMinDecision: 20s', 'targets[0].errorRate.burstyMinDecision: must be at least minDecision'],
      [
        'a longest window shorter than the shortest decision',
        'maxWindow: 10s',
        'targets[0].errorRate.maxWindow: the guard watches at most 10s (the longer of maxWindow and guard.watchWindow), shorter than minDecision (12s): the error rate could never fail a release',
      ],
    ])('rejects %s, naming the field', (_label, settings, problem) => {
      expect(problemsOf(withErrorRate(settings, '\n    guard: { watchWindow: 5s }'))).toEqual([problem]);
    });

    it('accepts a short maxWindow when the watch window is long enough, and a decision as long as the window', () => {
      expect(() => parseConfig(withErrorRate('maxWindow: 10s', '\n    guard: { watchWindow: 1m }'))).not.toThrow();
      expect(() => parseConfig(withErrorRate('maxWindow: 12s', '\n    guard: { watchWindow: 5s }'))).not.toThrow();
    });
  });

  it('rejects duplicate target and probe names', () => {
    const yaml = `
targets:
  - { name: api, probes: [{ name: h, url: "http://127.0.0.1/" }, { name: h, url: "http://127.0.0.1/" }] }
  - { name: api, probes: [{ name: h, url: "http://127.0.0.1/" }] }
`;
    expect(problemsOf(yaml)).toEqual(['targets[0].probes[1].name: duplicate probe name "h"', 'targets[1].name: duplicate target name "api"']);
  });

  it('reports YAML syntax errors instead of throwing raw parser errors', () => {
    expect(problemsOf('targets: [\n')[0]).toMatch(/^yaml: /);
  });

  it('reads ${VAR} from the environment and collects the values as secrets', () => {
    const yaml = `platform: { fly: { apiToken: "\${FLY_API_TOKEN}" } }\n${minimal}`;
    const { config, secrets } = parseConfig(yaml, { FLY_API_TOKEN: 'fo1_supersecretvalue' });
    expect(config.platform.fly.apiToken).toBe('fo1_supersecretvalue');
    expect(secrets.mask('token=fo1_supersecretvalue')).toBe('token=[REDACTED]');
  });

  it('names the field and variable when ${VAR} is unset, and supports defaults and escapes', () => {
    const yaml = `platform: { fly: { apiToken: "\${FLY_API_TOKEN}", binary: "\${FLY_BIN:-/usr/local/bin/fly}" } }\n${minimal}`;
    expect(problemsOf(yaml)).toEqual(['platform.fly.apiToken: environment variable FLY_API_TOKEN is not set']);
    const ok = parseConfig(yaml.replace('${FLY_API_TOKEN}', () => '$${literal}'), {});
    expect(ok.config.platform.fly.binary).toBe('/usr/local/bin/fly');
    expect(ok.config.platform.fly.apiToken).toBe('${literal}');
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['90d', 7_776_000_000],
  ])('parses %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '-5s', '10', '5 minutes', 's'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());

  it('formats Go durations for flyctl flags', () => {
    expect(formatGoDuration(300_000)).toBe('5m0s');
    expect(formatGoDuration(45_000)).toBe('45s');
    expect(formatGoDuration(3_723_000)).toBe('1h2m3s');
  });
});
