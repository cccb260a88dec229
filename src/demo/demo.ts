/**
 * `npm run demo`: the newcomer's first command. Starts the local Fly simulator and the real daemon
 * (in this process, on SQLite in a temp dir), does what the README's first start asks (the
 * operator marks the running release good; the error-rate baseline builds), deploys a healthy
 * release, then a broken one, and shows the watchdog detect it, roll back to the healthy image and
 * verify, then prints a summary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summariseBaseline } from '../analysis/baseline-summary.ts';
import { parseConfig } from '../config/load.ts';
import { testSpec } from '../guard/step/on-error-rate.ts';
import { startDaemon, type Daemon } from '../main.ts';
import { startSimulator, type Simulator } from '../sim/simulator.ts';
import { buildDemoConfig } from './demo-config.ts';
import { printSummary } from './summary.ts';

const APP = 'renderflow-api';
const BAD_PROFILE = process.env.DEMO_BAD_PROFILE ?? 'down';
/** The whole demo must finish well inside a minute; this is the hard stop. */
const DEADLINE_MS = 55_000;

function say(text: string): void {
  process.stdout.write(`\n\x1b[1m▶ ${text}\x1b[0m\n`);
}

async function waitFor(what: string, predicate: () => boolean, deadline: number): Promise<void> {
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`demo timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the operator's `rollback-watchdog mark-good` sends. */
async function markGood(daemon: Daemon, version: number): Promise<void> {
  const res = await fetch(`${daemon.url}/api/v1/targets/${APP}/releases/${version}/mark-good`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'demo: v1 served users before the watchdog was installed' }),
  });
  if (res.status !== 200) throw new Error(`mark-good answered ${res.status}: ${await res.text()}`);
}

async function main(): Promise<number> {
  const deadline = Date.now() + DEADLINE_MS;
  const dir = mkdtempSync(join(tmpdir(), 'rollback-watchdog-demo-'));
  let sim: Simulator | undefined;
  let daemon: Daemon | undefined;
  try {
    say('Starting the local Fly simulator (control API, fake `fly`, fake apps on 127.0.0.1)');
    sim = await startSimulator({ deployMs: 1500, requestRate: 40, seed: 42 });
    const app = await sim.addApp(APP, { profile: 'healthy' });
    process.stdout.write(`  ${APP} v1 runs ${app.imageRef}\n  app URL ${app.url}\n`);

    say('Starting rollback-watchdog on the simulator (SQLite store in a temp dir)');
    const loaded = parseConfig(buildDemoConfig({ sim, app: APP, dir }), {});
    daemon = await startDaemon(loaded, {});
    const runner = daemon.watchdog.runner(APP);
    await waitFor('v1 guarded', () => runner.state.phase === 'guarding', deadline);

    say('v1 ran before the watchdog did: it has no evidence for it. The operator vouches for it');
    process.stdout.write(`  rollback-watchdog mark-good ${APP} 1\n`);
    await markGood(daemon, 1);
    await waitFor('v1 guard over', () => runner.state.phase === 'stable', deadline);

    say('v1 serves traffic: the error-rate baseline builds (an hour by default; the demo takes seconds)');
    const errorRate = loaded.config.targets[0]?.errorRate;
    if (!errorRate) throw new Error('the demo config has no errorRate');
    const baselineReady = () => {
      const history = runner.state.errorRate?.baselineHistory;
      return history !== undefined && summariseBaseline(history, testSpec(errorRate)).insufficient === undefined;
    };
    await waitFor('a baseline to judge by', baselineReady, deadline);

    say('CI deploys v2, a healthy release');
    const good = sim.buildImage(APP, 'healthy');
    const v2 = await sim.deploy(APP, good);
    await waitFor(`v${v2.version} marked good`, () => runner.state.phase === 'stable' && runner.state.lastSeenVersion === v2.version, deadline);

    say(`CI deploys v3, a broken release (profile "${BAD_PROFILE}")`);
    const bad = sim.buildImage(APP, BAD_PROFILE);
    const faultAt = Date.now();
    await sim.deploy(APP, bad);
    await waitFor('rollback verified', () => ['rolled-back', 'rollback-failed', 'held'].includes(runner.state.phase), deadline);

    await printSummary({ daemon, sim, app: APP, goodImage: good, badImage: bad, faultAt });
    return runner.state.phase === 'rolled-back' && sim.currentImage(APP) === good ? 0 : 1;
  } finally {
    await daemon?.stop();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
