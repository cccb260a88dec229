/**
 * Identifiers shaped like Fly's: deployment image tags with a ULID, 14-hex machine ids, `img_`
 * image ids and sha256 digests. Random parts come from the seeded Rng; image ids and digests are
 * derived from the reference so the same image always resolves to the same id, as a registry does.
 */
import { createHash } from 'node:crypto';
import { pick, randomInt, type Rng } from './prng.ts';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LOWER_ALNUM = '0123456789abcdefghijklmnopqrstuvwxyz';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `deployment-` + 26 uppercase Crockford base32 characters (imgsrc/docker.go NewDeploymentTag). */
export const DEPLOYMENT_TAG = /^deployment-[0-9A-HJKMNP-TV-Z]{26}$/;

function randomString(rng: Rng, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(rng, alphabet.length)];
  return out;
}

/** A ULID: 10 characters of millisecond time, then 16 random ones. */
export function ulid(nowMs: number, rng: Rng): string {
  let time = '';
  let t = Math.max(0, Math.floor(nowMs));
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  return time + randomString(rng, CROCKFORD, 16);
}

export function deploymentImageRef(app: string, id: string): string {
  return `registry.fly.io/${app}:deployment-${id}`;
}

export function machineId(rng: Rng): string {
  return randomString(rng, '0123456789abcdef', 14);
}

const ADJECTIVES = ['silent', 'rough', 'ancient', 'bitter', 'frosty', 'damp', 'wispy', 'proud', 'lively', 'falling'];
const NOUNS = ['sun', 'river', 'meadow', 'glade', 'dawn', 'wave', 'pine', 'fog', 'frost', 'leaf'];

/** Fly's default machine names look like `falling-sun-1234`. */
export function machineName(rng: Rng): string {
  return `${pick(rng, ADJECTIVES)}-${pick(rng, NOUNS)}-${1000 + randomInt(rng, 9000)}`;
}

export function releaseId(rng: Rng): string {
  return randomString(rng, BASE62, 20);
}

export function privateIp(rng: Rng): string {
  const hex = () => randomInt(rng, 0xffff).toString(16);
  return `fdaa:0:${hex()}:a7b:${hex()}:${hex()}:${hex()}:2`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function imageDigest(ref: string): string {
  return `sha256:${sha256(ref)}`;
}

export function imageId(ref: string): string {
  // Map hash bytes onto [0-9a-z] so the id looks like `img_8rlxp2nrkd1p3jkq`.
  const bytes = createHash('sha256').update(`id:${ref}`).digest();
  let id = 'img_';
  for (let i = 0; i < 16; i++) id += LOWER_ALNUM.charAt((bytes[i] ?? 0) % LOWER_ALNUM.length);
  return id;
}

export interface ParsedImageRef {
  registry: string;
  repository: string;
  tag: string;
}

/**
 * Splits `registry.fly.io/app:tag` the way fly-go's MachineImageRef reports it. A reference by
 * digest (`registry.fly.io/app@sha256:…`) has no tag: '' (omitted in JSON); a bare name means `latest`.
 */
export function splitImageRef(ref: string): ParsedImageRef {
  const slash = ref.indexOf('/');
  const hasRegistry = slash > 0 && /[.:]/.test(ref.slice(0, slash));
  const registry = hasRegistry ? ref.slice(0, slash) : 'docker.io';
  const rest = hasRegistry ? ref.slice(slash + 1) : ref;
  const withoutDigest = rest.split('@')[0] ?? rest;
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > 0) return { registry, repository: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
  return { registry, repository: withoutDigest, tag: rest.includes('@') ? '' : 'latest' };
}
