/** Shared helpers for the simulator tests: condition polling and running the fake fly. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Simulator } from '../../src/sim/simulator.ts';

/**
 * Where the fake fly runs unless a test says otherwise: an empty directory. Like flyctl, it reads
 * ./fly.toml, and the repository root holds the watchdog's own.
 */
export const EMPTY_DIR = mkdtempSync(join(tmpdir(), 'fake-fly-cwd-'));

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then throws). */
export async function waitFor<T>(check: () => T | Promise<T>, { timeoutMs = 5000, intervalMs = 20, what = 'condition' } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface FlyRun {
  exitCode: number | undefined;
  signal?: string | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  isTerminated: boolean;
}

/** Spawns the fake fly against `sim`, keeping output byte-exact (no final-newline stripping). */
export async function runFly(sim: Simulator, args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<FlyRun> {
  const result = await execa(sim.flyBinary, args, {
    cwd: opts.cwd ?? EMPTY_DIR,
    env: { ...sim.flyEnv(), ...opts.env },
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    timeout: opts.timeoutMs ?? 20_000,
  });
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    timedOut: result.timedOut,
    isTerminated: result.isTerminated,
  };
}

/** Reads one counter sample from Prometheus text, 0 when absent. */
export function sample(metricsText: string, series: string): number {
  const line = metricsText.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
