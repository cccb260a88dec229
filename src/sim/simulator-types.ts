/**
 * The simulator harness's API (simulator.ts implements it): what integration tests, the demo and
 * benchmarks use to steer a simulated Fly. Knobs that model a Fly behaviour say which one.
 */
import type { Autostop, SimAppConfig } from './app-config.ts';
import type { DeployOutcome, DeployStrategy, FaultCommand, FaultMode, Invocation, MachineView, Reachability } from './sim-types.ts';

export interface SimulatorOptions {
  /** How long a non-immediate release stays `running` before it completes (default 100 ms). */
  deployMs?: number;
  /** Simulated requests per second per app (default 20). */
  requestRate?: number;
  /** Error probability of simulated traffic on a healthy app (default 0.005). */
  baselineErrorRate?: number;
  seed?: number;
  controlPort?: number;
  now?: () => number;
  /** Non-immediate releases whose app fails checks (down, unready) end `failed`, not `complete`. Default false. */
  failUnhealthyReleases?: boolean;
  /** Zero an app's counters when it restarts on a new image, as a real process would. Default false. */
  resetCountersOnDeploy?: boolean;
  /** E-mail recorded as the user of deploys made through the fake fly. */
  cliUser?: string;
  /** How often simulated traffic moves each app's counters (default 250 ms; benchmarks with many apps use more). */
  trafficTickMs?: number;
}

export interface SimReleaseSummary {
  version: number;
  imageRef: string;
  /** The build the release resolved to: a tag pushed again is another digest. */
  imageDigest: string;
  status: string;
  createdAt: string;
  user: string;
  /** Why a failed release failed, as flyctl recorded it. */
  error?: string;
}

export interface AddAppOptions {
  profile?: string;
  port?: number;
  /** Always-on machines of the `app` group (default 1). */
  machines?: number;
  requestRate?: number;
  /** `worker`: no services, one top-level check, and a stopped standby per group (Fly's HA for groups without services). */
  shape?: 'web' | 'worker';
  /** The HTTP service's auto_stop_machines (`fly launch` writes "stop"); default off. */
  autostop?: Autostop;
  /** More process groups, each with one machine and its standby. */
  extraGroups?: string[];
}

export interface HarnessDeployOptions {
  /** Resolve when the release is finished and the app serves it (default true). */
  wait?: boolean;
  user?: string;
  strategy?: DeployStrategy;
  /** Merged onto the app's config, as CI's fly.toml would change it (e.g. `{ releaseCommand: 'npm run migrate' }`). */
  config?: Partial<SimAppConfig>;
  skipReleaseCommand?: boolean;
  updateOnly?: boolean;
  /** How the deploy ends with no flyctl to end it (sim-types.ts DeployOutcome); `stuck` stays `running` for ever. */
  outcome?: DeployOutcome;
}

export interface Simulator {
  /** Pass as FLY_API_BASE_URL to the fake fly. */
  readonly controlUrl: string;
  /** Absolute path of src/sim/bin/fly. */
  readonly flyBinary: string;
  /** Creates an app already running `profile` as release v1 (status complete); starts its fake server. */
  addApp(name: string, opts?: AddAppOptions): Promise<{ name: string; url: string; imageRef: string }>;
  /** http://127.0.0.1:PORT, stable across down/up. */
  appUrl(name: string): string;
  /**
   * Pushes a new build for `app` with a behaviour profile (like `docker push`). A `label` names the
   * tag (`--image-label`); pushing a label again makes a new build (new digest) of the same tag.
   */
  buildImage(app: string, profile: string, opts?: { label?: string; releaseCommandFails?: boolean }): string;
  /** The digest the reference resolves to now. */
  imageDigest(imageRef: string): string;
  /** Changes a pushed image's behaviour wherever it runs (e.g. an old image broken by a migration). */
  setImageProfile(imageRef: string, profile: string): Promise<void>;
  /**
   * Deploys as CI would (not through the fake fly, not logged as a fly invocation); resolves when
   * the release is finished and the app serves it, unless wait=false.
   */
  deploy(app: string, imageRef: string, opts?: HarnessDeployOptions): Promise<{ version: number; status: string }>;
  /**
   * A config-only release, as `fly secrets set` makes one: same image, today's secrets (set them
   * first with setSecrets). Resolves when it is finished unless wait=false.
   */
  configRelease(app: string, opts?: { wait?: boolean; user?: string; outcome?: DeployOutcome }): Promise<{ version: number; status: string }>;
  /** `fly secrets set --stage`: the next release runs with these. */
  setSecrets(app: string, set: Record<string, string>, unset?: string[]): void;
  /** While a release runs with secret `name` (= `value`, or any value), the app behaves as `profile`. */
  onSecret(app: string, name: string, profile: string, value?: string): void;
  /** A partial partition: the watchdog cannot reach the app while it and Fly's checks are fine. */
  setReachability(app: string, reachability: Reachability): Promise<void>;
  /** `fly scale count GROUP=N`. */
  scale(app: string, group: string, count: number): void;
  /** Fly's proxy stops `count` idle machines (meaningful with autostop on); returns their ids. */
  stopIdle(app: string, count: number): string[];
  /** Machines as `fly status` shows them. */
  machines(app: string): MachineView[];
  /** Newest first, at most 25. */
  releases(app: string): SimReleaseSummary[];
  currentImage(app: string): string;
  /** Fake-fly calls, oldest first, with the directory each ran in and its FLY_* variables (no tokens). */
  invocations(): Invocation[];
  /** Deploys of `app` (or, without it, of any app) started while another deploy of that app was still running. */
  deployOverlaps(app?: string): number;
  injectFault(f: { command: FaultCommand; mode: FaultMode; times?: number }): void;
  close(): Promise<void>;
  /** Env for spawning the fake fly: control URL, a token, and this Node first on PATH. */
  flyEnv(token?: string): Record<string, string>;
  /** The app's Prometheus text, readable even while the app is down. */
  metricsText(app: string): string;
  setRequestRate(app: string, ratePerSec: number): void;
  clearInvocations(): void;
}
