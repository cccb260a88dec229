/**
 * How an app behaves under its secrets. `fly secrets set` restarts the machines on the same image
 * with the new secrets (flyctl internal/command/secrets/secrets.go DeploySecrets), and a deploy of
 * an older image keeps today's secrets: a bad secret is a bad release that no image rollback
 * fixes. A test declares what a secret does: while NAME (set to VALUE, or to anything) is among
 * the secrets a release runs with, the app behaves as PROFILE whatever its image.
 */
import { parseProfile, type Profile } from './profile.ts';
import type { SimImage } from './sim-types.ts';

export interface SecretEffect {
  name: string;
  /** Only this value has the effect; undefined: any value. */
  value?: string;
  profileSpec: string;
  profile: Profile;
}

export function secretEffect(name: string, profileSpec: string, value?: string): SecretEffect {
  return { name, profileSpec, profile: parseProfile(profileSpec), ...(value !== undefined ? { value } : {}) };
}

/** The profile the app runs with: the first effect its secrets trigger, else its image's. */
export function effectiveProfile(image: SimImage, secrets: Readonly<Record<string, string>>, effects: readonly SecretEffect[]): Profile {
  const hit = effects.find((e) => Object.hasOwn(secrets, e.name) && (e.value === undefined || secrets[e.name] === e.value));
  return hit?.profile ?? image.profile;
}
