/**
 * The platform adapter: everything the watchdog needs from the hosting platform, and nothing more.
 * The Fly implementation drives flyctl; tests use a fake. Every method either returns parsed,
 * validated data or throws a PlatformError; callers never act on half-parsed output.
 */
import type { Release } from '../domain/release.ts';

export interface DeployOptions {
  /** Fly deploy strategy; rollbacks default to `immediate` because the running release is known bad. */
  strategy: 'canary' | 'rolling' | 'bluegreen' | 'immediate';
  /** Per-machine wait for checks, passed as flyctl's `--wait-timeout`. */
  waitTimeoutMs: number;
  signal?: AbortSignal;
}

export interface DeployResult {
  /** Release version created by the deploy, when the platform reports it (FLY_EMIT_RELEASE_JSON). */
  version?: number;
  imageRef: string;
  /** Tail of the command's output, kept as evidence. */
  output: string;
  durationMs: number;
}

export type CheckState = 'passing' | 'warning' | 'critical' | (string & {});

export interface MachineStatus {
  id: string;
  state: string;
  region: string;
  /** Full image reference the machine runs, e.g. registry.fly.io/app:deployment-01J… */
  imageRef: string;
  releaseVersion?: number;
  checks: { name: string; status: CheckState; output: string }[];
}

export interface AppStatus {
  app: string;
  /** Current release version (0 when none). */
  version: number;
  deployed: boolean;
  machines: MachineStatus[];
}

export interface Platform {
  readonly name: string;
  /** Newest first, as flyctl returns them. */
  listReleases(app: string, signal?: AbortSignal): Promise<Release[]>;
  /**
   * Optional, and much cheaper than listReleases: a value that changes whenever the app's
   * releases may have changed (a release went live, machines were added or replaced). Undefined
   * when the platform cannot tell; a poll then lists releases as usual. Throws like listReleases.
   */
  releaseFingerprint?(app: string, signal?: AbortSignal): Promise<string | undefined>;
  deployImage(app: string, imageRef: string, options: DeployOptions): Promise<DeployResult>;
  status(app: string, signal?: AbortSignal): Promise<AppStatus>;
  /** The last `lines` log lines, oldest first, ANSI colours stripped. */
  recentLogs(app: string, lines: number, signal?: AbortSignal): Promise<string[]>;
}
