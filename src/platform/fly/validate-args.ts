/**
 * Guards for values that end up in flyctl's argv. They come from config, the admin API and
 * `fly releases` output; none may be mistaken for a flag (`--detach`, `-t TOKEN`) or smuggle
 * whitespace. Each guard throws WD_ERR_PLATFORM_ARGUMENT_INVALID naming the argument.
 */
import { WD_ERR_PLATFORM_ARGUMENT_INVALID } from '../../infra/errors.ts';
import type { DeployOptions } from '../types.ts';

// Fly app names: lowercase letters, digits and dashes, starting with a letter or digit.
const APP_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
// Any OCI reference, as long as it has no whitespace or control characters and can't be a flag.
const IMAGE_REF = /^[^\s\p{Cc}-][^\s\p{Cc}]{0,1023}$/u;
const STRATEGIES: readonly DeployOptions['strategy'][] = ['canary', 'rolling', 'bluegreen', 'immediate'];

function reject(argument: string, value: unknown, expected: string): never {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : String(value);
  throw new WD_ERR_PLATFORM_ARGUMENT_INVALID(argument, shown, expected);
}

export function assertAppName(app: string): void {
  if (typeof app !== 'string' || !APP_NAME.test(app)) {
    reject('app', app, 'lowercase letters, digits and dashes, not starting with a dash');
  }
}

export function assertImageRef(imageRef: string): void {
  if (typeof imageRef !== 'string' || !IMAGE_REF.test(imageRef)) {
    reject('imageRef', imageRef, 'an image reference without whitespace, not starting with a dash');
  }
}

export function assertStrategy(strategy: string): void {
  if (!(STRATEGIES as readonly string[]).includes(strategy)) reject('strategy', strategy, STRATEGIES.join('|'));
}

/** For counts and durations: a whole number no smaller than `min`. */
export function assertInteger(argument: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) reject(argument, value, `an integer >= ${min}`);
}
