import { z } from 'zod';
import { Duration } from '../infra/duration.ts';
import { Name } from './names.ts';

/**
 * A mobile app shipped over the air with Expo EAS Update. Manual only: an operator rolls it back
 * through the admin API or the CLI; the watchdog never does it on its own.
 */
export const MobileTarget = z.strictObject({
  name: Name,
  kind: z.literal('expo'),
  environment: Name.default('production'),
  /** The EAS Update branch the store builds read, e.g. `production`. */
  branch: z.string().regex(/^[A-Za-z0-9][\w.-]{0,99}$/, 'not an EAS branch name').default('production'),
  /** Absolute path of the Expo app (where app.json is): eas finds its project from there. */
  projectDir: z.string().regex(/^\//, 'must be an absolute path'),
  /** Passed as EXPO_TOKEN; write `${EXPO_TOKEN}`. */
  expoToken: z.string().min(1).optional(),
  binary: z.string().min(1).default('eas'),
  timeouts: z.strictObject({ list: Duration.prefault('1m'), republish: Duration.prefault('5m') }).prefault({}),
});
export type MobileTarget = z.infer<typeof MobileTarget>;
