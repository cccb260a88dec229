import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/infra/clock.ts';
import { FlyPlatform } from '../../src/platform/fly/fly-platform.ts';
import type { AppStatus, MachineStatus, Platform } from '../../src/platform/types.ts';
import { MASK, SecretRegistry } from '../../src/infra/secrets.ts';
import { assessMachines, PlatformChecksProvider } from '../../src/signals/platform-checks.ts';
import { PlatformChecks } from '../../src/config/signal-schemas.ts';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';

const passing = (name = 'servicecheck-00-http-8080') => ({ name, status: 'passing', output: 'HTTP GET …: 200 OK' });
const critical = (name = 'servicecheck-01-http-8080') => ({ name, status: 'critical', output: 'HTTP GET …: 503' });
const machine = (id: string, state: string, checks: MachineStatus['checks'] = [passing()]): MachineStatus => ({
  id, state, region: 'iad', imageRef: 'registry.fly.io/api:deployment-01J', releaseVersion: 2, checks,
});
const spec = (over: Record<string, unknown> = {}) => PlatformChecks.parse({ name: 'fly-checks', type: 'platform-checks', ...over });
const never = new AbortController().signal;

describe('assessMachines', () => {
  it.each([
    ['every started machine passes', [machine('m1', 'started'), machine('m2', 'started')], 'successful', '2 machines started, 2 checks passing'],
    ['a check is only warning', [machine('m1', 'started', [passing(), { name: 'disk', status: 'warning', output: '' }])], 'successful', '1 machine started, 1 check passing, 1 warning'],
    ['a started machine has a critical check', [machine('m1', 'started'), machine('m2', 'started', [passing(), critical()])], 'failed', 'machine m2 check servicecheck-01-http-8080 critical'],
    ['a machine failed', [machine('m1', 'started'), machine('m2', 'failed', [])], 'failed', 'machine m2 failed'],
    ['a machine without autostop stopped while another runs', [machine('m1', 'started'), machine('m2', 'stopped', [])], 'failed', 'machine m2 stopped'],
    ['every machine stopped (a crashed worker)', [machine('m1', 'stopped', [critical()]), machine('m2', 'stopped', [])], 'failed', 'machine m1 stopped; machine m2 stopped (no machine of 2 started)'],
    ['no machine reports a check', [machine('m1', 'started', [])], 'inconclusive', 'no checks reported by 1 started machine'],
    ['a check has no result yet', [machine('m1', 'started', [passing(), { name: 'alive', status: '', output: '' }])], 'inconclusive', '1 check of 2 has no result yet'],
    ['there are no machines', [], 'inconclusive', 'no machines'],
    ['machines are still being created', [machine('m1', 'created', [])], 'inconclusive', 'no machine started (1 created)'],
  ])('when %s', (_what, machines, phase, detail) => {
    expect(assessMachines(machines)).toMatchObject({ phase, detail });
  });

  const idle = (id: string, state: string, autostop: MachineStatus['autostop']) => ({ ...machine(id, state, []), autostop });
  const standby = (id: string, of: string, state = 'stopped') => ({ ...machine(id, state, []), standbyFor: [of] });

  it.each([
    ['a machine stopped by autostop while another runs', [{ ...machine('m1', 'started'), autostop: 'stop' as const }, idle('m2', 'stopped', 'stop')], 'successful', '1 machine started, 1 check passing (1 idle)'],
    ['a machine suspended by autostop', [machine('m1', 'started'), idle('m2', 'suspended', 'suspend')], 'successful', '1 machine started, 1 check passing (1 idle)'],
    ['every machine stopped by autostop', [idle('m1', 'stopped', 'stop'), idle('m2', 'suspended', 'suspend')], 'inconclusive', 'no machine started (2 idle)'],
    ['a machine stopped while its services say autostop off', [machine('m1', 'started'), idle('m2', 'stopped', 'off')], 'failed', 'machine m2 stopped'],
    ['a worker and its stopped standby (flyctl gives groups without services one)', [machine('m1', 'started'), standby('m2', 'm1')], 'successful', '1 machine started, 1 check passing (1 standby)'],
    ['a worker whose machine stopped, beside its standby', [machine('m1', 'stopped', []), standby('m2', 'm1')], 'failed', 'machine m1 stopped (no machine of 1 started)'],
    ['a standby started because its machine failed', [machine('m1', 'failed', []), standby('m2', 'm1', 'started')], 'failed', 'machine m1 failed'],
  ])('when %s', (_what, machines, phase, detail) => {
    expect(assessMachines(machines)).toMatchObject({ phase, detail });
  });

  it('keeps counts as values and the detail one bounded line', () => {
    const many = Array.from({ length: 50 }, (_, i) => machine(`machine-${i}`, 'started', [critical(`check-with-a-long-name-${i}`)]));
    const result = assessMachines(many);
    expect(result.values).toEqual({ machines: 50, started: 50, checksPassing: 0, checksWarning: 0, checksCritical: 50 });
    expect(result.detail.length).toBeLessThanOrEqual(300);
  });
});

describe('PlatformChecksProvider', () => {
  const status = (machines: MachineStatus[]): AppStatus => ({ app: 'api', version: 2, deployed: true, machines });
  const fakePlatform = (answer: () => Promise<AppStatus>): Platform & { apps: string[] } => {
    const apps: string[] = [];
    return {
      name: 'fake',
      apps,
      listReleases: async () => [],
      deployImage: async () => ({ imageRef: '', output: '', durationMs: 0 }),
      recentLogs: async () => [],
      status: (app) => {
        apps.push(app);
        return answer();
      },
    };
  };

  it('asks about the target app by default, the spec app when given', async () => {
    const platform = fakePlatform(async () => status([machine('m1', 'started')]));
    const provider = new PlatformChecksProvider({ platform, app: 'api', clock: systemClock, secrets: new SecretRegistry() });
    expect(await provider.run(spec(), never)).toMatchObject({ check: 'fly-checks', phase: 'successful', values: { started: 1 } });
    await provider.run(spec({ app: 'worker' }), never);
    expect(platform.apps).toEqual(['api', 'worker']);
  });

  it('when the platform call fails then error, with secrets masked', async () => {
    const secrets = new SecretRegistry();
    secrets.add('fo1_platform-token-123');
    const platform = fakePlatform(async () => {
      throw new Error('fly status --app api exited 1: Error: token fo1_platform-token-123 expired');
    });
    const m = await new PlatformChecksProvider({ platform, app: 'api', clock: systemClock, secrets }).run(spec(), never);
    expect(m.phase).toBe('error');
    expect(m.detail).toBe(`platform status failed: fly status --app api exited 1: Error: token ${MASK} expired`);
  });

  it('when aborted then inconclusive', async () => {
    const controller = new AbortController();
    const platform = fakePlatform(async () => {
      controller.abort();
      throw new Error('aborted');
    });
    const m = await new PlatformChecksProvider({ platform, app: 'api', clock: systemClock, secrets: new SecretRegistry() }).run(spec(), controller.signal);
    expect(m.phase).toBe('inconclusive');
  });
});

describe('PlatformChecksProvider against the simulator\'s fake fly', () => {
  let sim: Simulator;
  let provider: PlatformChecksProvider;
  const savedPath = process.env.PATH;

  beforeAll(async () => {
    // The fake fly is `#!/usr/bin/env node` and needs a Node that strips types: ours.
    process.env.PATH = `${dirname(process.execPath)}:${savedPath ?? ''}`;
    sim = await startSimulator({ deployMs: 20, requestRate: 0, seed: 11 });
    await sim.addApp('api', { profile: 'healthy', machines: 2 });
    const secrets = new SecretRegistry();
    const platform = new FlyPlatform({
      binary: sim.flyBinary,
      apiBaseUrl: sim.controlUrl,
      apiToken: 'x'.repeat(20),
      timeouts: { releases: 20_000, status: 20_000, logs: 20_000, deploy: 60_000 },
      secrets,
    });
    provider = new PlatformChecksProvider({ platform, app: 'api', clock: systemClock, secrets });
  });
  afterAll(async () => {
    process.env.PATH = savedPath;
    await sim?.close();
  });

  it.each([
    ['healthy', 'successful', /^2 machines started, 4 checks passing$/],
    ['unready', 'failed', /^machine \w+ check servicecheck-01-http-8080 critical; machine \w+ check servicecheck-01-http-8080 critical$/],
    ['down', 'failed', /^machine \w+ stopped; machine \w+ stopped \(no machine of 2 started\)$/],
  ])('when the app runs a %s image then %s', async (profile, phase, detail) => {
    await sim.deploy('api', sim.buildImage('api', profile));
    const m = await provider.run(spec(), never);
    expect(m.phase).toBe(phase);
    expect(m.detail).toMatch(detail);
  });
});
