/**
 * The simulator's records, which are also what its control API sends as JSON (the fake fly turns
 * them into flyctl's formats). Times are epoch milliseconds; formatting is the CLI's business.
 */
import type { Profile } from './profile.ts';

export type SimReleaseStatus = 'running' | 'complete' | 'failed' | 'interrupted';
export type DeployStrategy = 'canary' | 'rolling' | 'bluegreen' | 'immediate';
export const DEPLOY_STRATEGIES: readonly DeployStrategy[] = ['canary', 'rolling', 'bluegreen', 'immediate'];

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
  imageRef: string;
  strategy: DeployStrategy;
}

/** An image in the fake registry. Deploying a reference that is not registered fails. */
export interface SimImage {
  ref: string;
  id: string;
  digest: string;
  /** Profile as written (`errors:30`), kept for display. */
  profileSpec: string;
  profile: Profile;
  pushedAt: number;
}

export interface SimMachine {
  id: string;
  name: string;
  region: string;
  state: 'started' | 'stopped';
  /** Changes on every update, as Fly's instance_id does. */
  instanceId: string;
  privateIp: string;
  createdAt: number;
  updatedAt: number;
  imageRef: string;
  releaseId: string;
  releaseVersion: number;
}

export type CheckStatus = 'passing' | 'warning' | 'critical';

export interface MachineCheck {
  name: string;
  status: CheckStatus;
  output: string;
  updatedAt: number;
}

export interface MachineView extends SimMachine {
  imageDigest: string;
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
}

export type FaultCommand = 'releases' | 'deploy' | 'status' | 'logs';
export const FAULT_COMMANDS: readonly FaultCommand[] = ['releases', 'deploy', 'status', 'logs'];
/**
 * `garbage`: non-JSON output, exit 0. `wrong-shape`: valid JSON of the wrong shape, exit 0.
 * `hang`: never returns until killed. `exit1`: `Error: …` on stderr, exit 1.
 */
export type FaultMode = 'garbage' | 'wrong-shape' | 'hang' | 'exit1';
export const FAULT_MODES: readonly FaultMode[] = ['garbage', 'wrong-shape', 'hang', 'exit1'];

export interface Fault {
  command: FaultCommand;
  mode: FaultMode;
  /** Invocations still to be affected. */
  times: number;
}

export interface DeployAccepted {
  release: SimRelease;
  imageId: string;
  machines: string[];
}
