/**
 * Everything that runs for one simulated app: its fake process, simulated traffic, metrics and
 * log buffer. It follows the world's deploy events: runner lines when a deploy starts, then a
 * restart onto the new image's profile when it finishes.
 */
import { AppMetrics } from './app-metrics.ts';
import { FakeApp } from './fake-app.ts';
import { LogBuffer } from './log-buffer.ts';
import type { Profile } from './profile.ts';
import { pick, type Rng } from './prng.ts';
import type { LogEntry, LogLevel, SimImage, SimMachine, SimRelease } from './sim-types.ts';
import { TrafficLoop } from './traffic.ts';

export interface AppRuntimeOptions {
  name: string;
  port?: number;
  requestRate: number;
  baselineErrorRate: number;
  now: () => number;
  /** An independent seeded stream per purpose, so probe traffic does not shift simulated traffic. */
  rng: (stream: 'probes' | 'traffic' | 'logs') => Rng;
  /** The app's machines as the world currently has them (log lines are attributed to them). */
  machines: () => readonly SimMachine[];
  /** Zero the counters when the process restarts on a new image, as a real process would. */
  resetCountersOnDeploy?: boolean;
  tickMs?: number;
}

export class AppRuntime {
  readonly metrics = new AppMetrics();
  readonly logs = new LogBuffer();
  readonly fakeApp: FakeApp;
  readonly traffic: TrafficLoop;
  readonly #opts: AppRuntimeOptions;
  readonly #logRng: Rng;

  constructor(opts: AppRuntimeOptions) {
    this.#opts = opts;
    this.#logRng = opts.rng('logs');
    this.fakeApp = new FakeApp({
      name: opts.name,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      metrics: this.metrics,
      rng: opts.rng('probes'),
      onRequest: (r) => this.#appLog(r.status >= 500 ? 'error' : 'info', `${r.method} ${r.path} ${r.status} ${Math.round(r.ms)}ms`),
    });
    this.traffic = new TrafficLoop({
      ratePerSec: opts.requestRate,
      baselineErrorRate: opts.baselineErrorRate,
      ...(opts.tickMs !== undefined ? { tickMs: opts.tickMs } : {}),
      now: opts.now,
      rng: opts.rng('traffic'),
      profile: () => this.fakeApp.profile,
      metrics: this.metrics,
      log: (level, message) => this.#appLog(level, message),
    });
  }

  get profile(): Profile {
    return this.fakeApp.profile;
  }

  async start(image: SimImage): Promise<void> {
    await this.fakeApp.start(image.profile);
    for (const machine of this.#opts.machines()) this.#startupLines(machine, image.profile);
    this.traffic.start();
  }

  deployStarted(image: SimImage, machines: readonly SimMachine[]): void {
    for (const m of machines) {
      this.log(m, 'runner', 'info', `Pulling container image ${image.ref}`);
      this.log(m, 'runner', 'info', `Successfully prepared image ${image.ref} (1.2s)`);
    }
  }

  /**
   * The process restarts on the new image: old one stops, new one starts with `profile` (the
   * image's, unless the release's secrets make it behave otherwise).
   */
  async deployFinished(profile: Profile, machines: readonly SimMachine[]): Promise<void> {
    for (const m of machines) {
      this.log(m, 'app', 'info', ' INFO Sending signal SIGINT to main child process w/ PID 313');
      this.log(m, 'runner', 'info', 'Configuring firecracker');
    }
    if (this.#opts.resetCountersOnDeploy) this.metrics.reset();
    try {
      await this.fakeApp.setProfile(profile);
    } catch (err) {
      // Someone took our port while we were down: the app stays down, and the logs say why.
      for (const m of machines) this.log(m, 'runner', 'error', `failed to start: ${(err as Error).message}`);
      return;
    }
    for (const m of machines) this.#startupLines(m, profile);
  }

  /** A release that ended without its machines switching: a failed, reverted or interrupted deploy. */
  deployEnded(release: SimRelease, machines: readonly SimMachine[]): void {
    const machine = machines[0];
    if (!machine) return;
    const why = release.error ? `: ${release.error}` : '';
    this.log(machine, 'runner', release.status === 'failed' ? 'error' : 'warn', `release v${release.version} ${release.status}${why}`);
  }

  log(machine: SimMachine, provider: LogEntry['provider'], level: LogLevel, message: string): void {
    this.logs.append({ timestamp: this.#opts.now(), provider, instance: machine.id, region: machine.region, level, message });
  }

  async close(): Promise<void> {
    this.traffic.stop();
    await this.fakeApp.close();
  }

  #startupLines(m: SimMachine, profile: Profile): void {
    this.log(m, 'app', 'info', ' INFO Starting init (commit: 5c3e2a1)...');
    if (profile.kind === 'down') {
      this.log(m, 'app', 'error', 'Error: failed to start server: missing required environment variable DATABASE_URL');
      this.log(m, 'runner', 'info', 'machine exited with exit code 1, not restarting');
      return;
    }
    this.log(m, 'app', 'info', 'Server listening on http://0.0.0.0:8080');
    if (profile.kind === 'unready') this.log(m, 'app', 'warn', 'readiness: database unreachable, answering 503 on /api/v1/ready');
  }

  /** Request lines come from whichever machine the proxy picked. */
  #appLog(level: LogLevel, message: string): void {
    const machines = this.#opts.machines();
    if (machines.length === 0) return;
    this.log(pick(this.#logRng, machines), 'app', level, message);
  }
}
