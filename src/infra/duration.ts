/**
 * Durations in config are written like Go's and flyctl's: `500ms`, `30s`, `10m`, `1h30m`; and, for
 * retention periods, days: `90d`.
 */
import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Milliseconds, or undefined when `text` is not a duration (negative values included). */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!WHOLE.test(trimmed)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) {
    ms += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return Math.round(ms);
}

/** Formats milliseconds the way Go's time.Duration prints them (`5m0s`), as flyctl flags expect. */
export function formatGoDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** Short human form for logs and tables: `45s`, `2m5s`, `1h0m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s`;
  return `${Math.floor(m / 60)}h${m % 60}m`;
}

/**
 * A duration string (`30s`, `10m`, `1h30m`) parsed to milliseconds; must be positive. Lives here,
 * not in schema.ts, so every module's config schema can use it without an import cycle.
 */
export const Duration = z
  .string()
  .refine((text) => (parseDuration(text) ?? 0) > 0, {
    message: 'expected a positive duration such as 500ms, 30s, 10m or 1h30m',
  })
  .transform((text) => parseDuration(text) as number);
