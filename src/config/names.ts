import { z } from 'zod';

/** A target, group or environment name: safe in URLs, metric labels and file names. */
export const Name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'use lowercase letters, digits, "-" or "_" (max 63)');
export const FlyAppName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a Fly app name (lowercase letters, digits, "-")');
