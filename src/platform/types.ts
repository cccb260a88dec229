/**
 * The platform adapter: everything the watchdog needs from the hosting platform, and nothing more.
 * The Fly implementation drives flyctl; tests use a fake. Every method either returns parsed,
 * validated data or throws a PlatformError; callers never act on half-parsed output.
 */
import type { Release } from '../domain/release.ts';

export interface DeployOptions {
  /**
   * flyctl's `--strategy`. Omitted: the app's own (its current release's `[deploy] strategy`, else
   * rolling). Whatever is passed is written into the new release's stored config (flyctl
   * deploy/machines.go determineAppConfigForMachines), so later `fly secrets set` restarts use it.
   * `immediate` does not wait for machines to start or pass checks: the caller verifies.
   */
  strategy?: 'canary' | 'rolling' | 'bluegreen' | 'immediate' | undefined;
  /**
   * flyctl's `--wait-timeout`: how long rolling, canary and bluegreen deploys wait for each machine
   * to start and pass its checks. It does nothing for `immediate` but set a lease's length.
   */
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

/** A machine service's `autostop` (fly-go MachineAutostop): the proxy may stop or suspend an idle machine. */
export type Autostop = 'off' | 'stop' | 'suspend';

export interface MachineStatus {
  id: string;
  /** `started`, `stopped`, `suspended`, `failed`…; '' when Fly did not say (fly-go omits it when empty). */
  state: string;
  region: string;
  /**
   * Image reference the machine runs, e.g. registry.fly.io/app:deployment-01J… (the tag form, as
   * `fly releases` reports it; `…@sha256:…` when the machine has no tag). '' when Fly could not
   * say: a machine whose host is unreachable reports only an incomplete config.
   */
  imageRef: string;
  /** `sha256:…` of the build the machine runs (image_ref.digest): the identity of a build, as tags can be reused. */
  imageDigest?: string;
  releaseVersion?: number;
  /** `fly_process_group` (`app` unless the app defines processes). */
  processGroup?: string;
  /**
   * Machines this one stands by for (config.standbys): a standby is stopped by design and started
   * only when the machine it stands by for fails. Flyctl gives process groups without services one.
   */
  standbyFor?: string[];
  /**
   * The most restrictive autostop of the machine's services, as Fly's proxy applies it
   * (flyctl deploy/machines_deploymachinesapp.go deployCreateMachinesForGroups); absent without
   * services. With `stop` or `suspend`, a stopped or suspended machine is an idle one.
   */
  autostop?: Autostop;
  /** Status `''`: Fly has no result for the check yet. */
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
