/** Faults injected through the simulator, consumed per matching fake-fly invocation. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { runFly } from './helpers.ts';

describe('fake fly: injected faults', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ deployMs: 50, requestRate: 0 });
    await sim.addApp('api');
  });

  beforeEach(() => {
    sim.clearInvocations();
  });

  afterAll(async () => {
    await sim.close();
  });

  it('garbage: non-JSON on stdout with exit 0, for the next N calls only', async () => {
    sim.injectFault({ command: 'releases', mode: 'garbage', times: 2 });
    for (let i = 0; i < 2; i++) {
      const { exitCode, stdout } = await runFly(sim, ['releases', '-a', 'api', '--json']);
      expect(exitCode).toBe(0);
      expect(() => JSON.parse(stdout)).toThrow();
    }
    const third = await runFly(sim, ['releases', '-a', 'api', '--json']);
    expect(JSON.parse(third.stdout)).toHaveLength(1);
  });

  it('wrong-shape: valid JSON that is not a status document', async () => {
    sim.injectFault({ command: 'status', mode: 'wrong-shape' });
    const { exitCode, stdout } = await runFly(sim, ['status', '-a', 'api', '--json']);
    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).not.toHaveProperty('Machines');
  });

  it('exit1: Error: on stderr and exit 1', async () => {
    sim.injectFault({ command: 'logs', mode: 'exit1' });
    const { exitCode, stdout, stderr } = await runFly(sim, ['logs', '-a', 'api', '--no-tail']);
    expect({ exitCode, stdout }).toEqual({ exitCode: 1, stdout: '' });
    expect(stderr).toMatch(/^Error: .+\n$/);
  });

  it("hang: never returns until killed; the timeout's SIGTERM then ends it with 127, as flyctl's cancelled context does", async () => {
    sim.injectFault({ command: 'status', mode: 'hang' });
    const started = Date.now();
    const result = await runFly(sim, ['status', '-a', 'api', '--json'], { timeoutMs: 800 });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBe(127);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    // Logged before it hung.
    expect(sim.invocations().map((i) => i.argv[0])).toEqual(['status']);
  });

  it('a faulted deploy creates no release; the fault does not leak to other commands', async () => {
    sim.injectFault({ command: 'deploy', mode: 'garbage' });
    const image = sim.buildImage('api', 'healthy');
    const releases = await runFly(sim, ['releases', '-a', 'api', '--json']);
    expect(releases.exitCode).toBe(0);
    const { exitCode, stdout } = await runFly(sim, ['deploy', '--image', image, '-a', 'api'], { env: { FLY_EMIT_RELEASE_JSON: '1' } });
    expect(exitCode).toBe(0);
    expect(stdout).not.toContain('good state');
    expect(sim.releases('api')).toHaveLength(1);
    expect(sim.invocations().filter((i) => i.argv[0] === 'deploy')).toHaveLength(1);
  });

  it('an invalid invocation does not consume a fault', async () => {
    sim.injectFault({ command: 'releases', mode: 'exit1' });
    expect((await runFly(sim, ['releases', '-a', 'api', '--nope'])).stderr).toBe('Error: unknown flag: --nope\n');
    expect((await runFly(sim, ['releases', '-a', 'api'])).exitCode).toBe(1);
    expect((await runFly(sim, ['releases', '-a', 'api'])).exitCode).toBe(0);
  });
});
