/**
 * `npm run sim`: a standalone simulator for poking at by hand or driving the demo.
 *   node src/sim/main.ts --app api=healthy --app worker=errors:30 [--control-port 4280]
 *                        [--deploy-ms 2000] [--rate 20] [--seed 1]
 * Prints the control URL and each app's URL, then runs until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startSimulator } from './simulator.ts';

function toNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got "${value}"`);
  return n;
}

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'control-port': { type: 'string' },
      app: { type: 'string', multiple: true },
      'deploy-ms': { type: 'string' },
      rate: { type: 'string' },
      seed: { type: 'string' },
    },
    strict: true,
  });
  const apps = (values.app ?? ['demo-api=healthy']).map((spec) => {
    const eq = spec.indexOf('=');
    return eq === -1 ? { name: spec, profile: 'healthy' } : { name: spec.slice(0, eq), profile: spec.slice(eq + 1) };
  });
  const controlPort = toNumber('control-port', values['control-port']);
  const deployMs = toNumber('deploy-ms', values['deploy-ms']);
  const requestRate = toNumber('rate', values.rate);
  const seed = toNumber('seed', values.seed);
  const sim = await startSimulator({
    deployMs: deployMs ?? 2000,
    ...(controlPort !== undefined ? { controlPort } : {}),
    ...(requestRate !== undefined ? { requestRate } : {}),
    ...(seed !== undefined ? { seed } : {}),
  });
  console.log(`control  ${sim.controlUrl}`);
  console.log(`fly      FLY_API_BASE_URL=${sim.controlUrl} FLY_API_TOKEN=sim ${sim.flyBinary}`);
  try {
    for (const { name, profile } of apps) {
      const app = await sim.addApp(name, { profile });
      console.log(`app      ${name} ${app.url} (${profile}, ${app.imageRef})`);
    }
  } catch (err) {
    // Without this the listening sockets would keep a failed start alive.
    await sim.close();
    throw err;
  }
  console.log(`push     curl -s -XPOST ${sim.controlUrl}/images -H 'content-type: application/json' -d '{"app":"${apps[0]?.name}","profile":"errors:30"}'`);

  const shutdown = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 2;
});
