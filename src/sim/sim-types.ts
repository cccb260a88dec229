/**
 * The simulator's records, which are also what its control API sends as JSON (the fake fly turns
 * them into flyctl's formats). Times are epoch milliseconds; formatting is the CLI's business.
 */
import type { DeployStrategy, SimAppConfig } from './app-config.ts';
import type { Profile } from './profile.ts';

export type SimReleaseStatus = 'running' | 'complete' | 'failed' | 'interrupted';
export { DEPLOY_STRATEGIES, type DeployStrategy } from './app-config.ts';

export interface SimUser {
  id: string;
  name: string;
  email: string;
}

export interface SimRelease {
  id: string;
  version: number;
  status: SimReleaseStatus;
  description: string;
  user: SimUser;
  createdAt: number;
  /** The reference as deployed: a tag, or `…@sha256:…` for a deploy by digest. */
  imageRef: string;
  /** The build it resolved to when deployed: a tag pushed again later is another build. */
  imageDigest: string;
  strategy: DeployStrategy;
  /**
   * The app config stored with the release (flyctl deploy/machines.go createReleaseInBackend
   * sends it as the release's Definition); config-less deploys and restarts reuse the newest.
   */
  config: SimAppConfig;
  /** Secrets as set when the release was made: what its machines run with. */
  secrets: Record<string, string>;
  /** Why a failed release failed (flyctl records it as PostDeploymentInfo.Error). */
  error?: string;
}

/**
 * How a deploy ends, for deploys made without a flyctl to end them (the harness, as CI would):
 * `normal` completes (or fails its checks as flyctl would see it); `failed` and `interrupted`
 * leave the machines on the old image; `stuck` puts them on the new image and leaves the release
 * `running` for ever, as when CI's flyctl is killed mid-deploy and nobody finishes the release.
 */
export type DeployOutcome = 'normal' | 'failed' | 'interrupted' | 'stuck';
export const DEPLOY_OUTCOMES: readonly DeployOutcome[] = ['normal', 'failed', 'interrupted', 'stuck'];

/** An image in the fake registry. Deploying a reference that is not registered fails. */
export interface SimImage {
  ref: string;
  id: string;
  /** Differs on every push, also of the same tag (`--image-label` reused). */
  digest: string;
  /** The image lacks what the app's `[deploy] release_command` runs (a migration script). */
  releaseCommandFails: boolean;
  /** Profile as written (`errors:30`), kept for display. */
  profileSpec: string;
  profile: Profile;
  pushedAt: number;
}

export interface SimMachine {
  id: string;
  name: string;
  region: string;
  state: 'started' | 'stopped' | 'suspended';
  /** Changes on every update, as Fly's instance_id does. */
  instanceId: string;
  privateIp: string;
  createdAt: number;
  updatedAt: number;
  imageRef: string;
  /** The build it runs; kept when the tag is pushed again. */
  imageDigest: string;
  releaseId: string;
  releaseVersion: number;
  /** `fly_process_group`. */
  processGroup: string;
  /** Machines this one is a stopped standby for (config.standbys), else empty. */
  standbyFor: string[];
  /** The config it was last updated with: its release's. */
  config: SimAppConfig;
}

export type CheckStatus = 'passing' | 'warning' | 'critical';

export interface MachineCheck {
  name: string;
  status: CheckStatus;
  output: string;
  updatedAt: number;
}

export interface MachineView extends SimMachine {
  checks: MachineCheck[];
}

export interface AppStatusView {
  name: string;
  /** Version of the release the machines run (0 when none). */
  version: number;
  deployed: boolean;
  machines: MachineView[];
}

export interface AppSummary {
  name: string;
  url: string;
  port: number;
  imageRef: string;
  profile: string;
  version: number;
  machines: string[];
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  /** Increasing per app; `fly logs` without --no-tail polls for entries after the last one seen. */
  seq: number;
  timestamp: number;
  /** `app` for the process' own output, `runner` for the platform's deploy lines. */
  provider: 'app' | 'runner' | 'proxy';
  instance: string;
  region: string;
  level: LogLevel;
  message: string;
}

export interface Invocation {
  argv: string[];
  at: number;
  /** Where the fake fly ran (it reads ./fly.toml from there, as flyctl does). */
  cwd?: string;
  /** Its FLY_* environment, tokens left out. */
  env?: Record<string, string>;
}

export type FaultCommand = 'releases' | 'deploy' | 'status' | 'logs';
export const FAULT_COMMANDS: readonly FaultCommand[] = ['releases', 'deploy', 'status', 'logs'];
/**
 * `garbage`: non-JSON output, exit 0. `wrong-shape`: valid JSON of the wrong shape, exit 0.
 * `hang`: never returns until killed. `exit1`: `Error: …` on stderr, exit 1.
 */
export type FaultMode = 'garbage' | 'wrong-shape' | 'hang' | 'exit1' | DeployFaultMode;
/**
 * Faults of `deploy` after Fly created the release (flyctl creates it before touching machines:
 * deploy.go → NewMachineDeployment → createReleaseInBackend):
 * `release-failed`: a machine update fails; flyctl marks the release failed and exits 1.
 * `deadline`: flyctl exits 126 (context deadline exceeded) at once; the release stays `running`
 *   and the platform finishes it later, complete or failed as the image deserves.
 * `interrupted`: flyctl is interrupted (SIGINT/SIGTERM); it marks the release interrupted, exits 127.
 * `killed`: flyctl is SIGKILLed; the machines go on to the new image, the release stays `running` for ever.
 * `hang-after-release`: flyctl hangs once the release exists, while the deploy goes on and completes.
 */
export type DeployFaultMode = 'release-failed' | 'deadline' | 'interrupted' | 'killed' | 'hang-after-release';
export const DEPLOY_FAULT_MODES: readonly DeployFaultMode[] = ['release-failed', 'deadline', 'interrupted', 'killed', 'hang-after-release'];
export const FAULT_MODES: readonly FaultMode[] = ['garbage', 'wrong-shape', 'hang', 'exit1', ...DEPLOY_FAULT_MODES];

export interface Fault {
  command: FaultCommand;
  mode: FaultMode;
  /** Invocations still to be affected. */
  times: number;
}

export interface DeployAccepted {
  release: SimRelease;
  imageId: string;
  /** Machines being updated. */
  machines: string[];
  /** Machines launched for process groups that had none (`No machines in group …`). */
  launched: { id: string; group: string; standbyFor: string[] }[];
  /** Machines destroyed because their process group left the config. */
  destroyed: string[];
  /** The release command run before any machine was updated, and how it ended. */
  releaseCommand?: { command: string; machine: string; exitCode: number };
}

export type Reachability = 'open' | 'refuse' | 'blackhole';
export const REACHABILITIES: readonly Reachability[] = ['open', 'refuse', 'blackhole'];
