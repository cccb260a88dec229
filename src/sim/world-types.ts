/** The simulated world's options, deploy requests, events and app records (world.ts). */
import type { SimAppConfig } from './app-config.ts';
import type { Profile } from './profile.ts';
import type { Rng } from './prng.ts';
import type { SecretEffect } from './secret-effects.ts';
import type { DeployOutcome, DeployStrategy, SimImage, SimMachine, SimRelease } from './sim-types.ts';

export interface WorldOptions {
  deployMs: number;
  now: () => number;
  rng: Rng;
  /**
   * When true, a non-immediate release whose app fails its checks (down, unready) ends `failed`,
   * as when flyctl's health-check wait times out; the machines still run the new image. Default
   * false: such releases complete.
   */
  failUnhealthyReleases?: boolean;
}

export interface DeployRequest {
  /** `--strategy`; undefined: the config's `[deploy] strategy`, else rolling. */
  strategy?: DeployStrategy;
  /** A local fly.toml, as flyctl loaded it; undefined: the newest release's config. */
  config?: SimAppConfig;
  skipReleaseCommand?: boolean;
  updateOnly?: boolean;
  outcome?: DeployOutcome;
}

export type WorldEvent =
  | { type: 'deploy-started'; app: string; release: SimRelease; image: SimImage; machines: SimMachine[] }
  | { type: 'deploy-finished'; app: string; release: SimRelease; image: SimImage; profile: Profile; machines: SimMachine[] }
  | { type: 'deploy-ended'; app: string; release: SimRelease; machines: SimMachine[] };

export interface AppRecord {
  name: string;
  machines: SimMachine[];
  releases: SimRelease[];
  /** The build the machines run. */
  image: SimImage;
  /** How the app behaves: its image's profile unless a secret says otherwise. */
  profile: Profile;
  version: number;
  /** Secrets as set now (staged ones included); releases keep a copy. */
  secrets: Record<string, string>;
  secretEffects: SecretEffect[];
}

