/**
 * Go's time.ParseDuration, which pflag applies to duration flags such as `--wait-timeout`:
 * `300ms`, `1.5h`, `2h45m`, `5m0s`; a bare `0` is allowed, other unitless numbers are not.
 */
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;

/** Milliseconds, or undefined when Go would reject the text. */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  PART.lastIndex = 0;
  let ms = 0;
  let consumed = 0;
  for (let match = PART.exec(rest); match; match = PART.exec(rest)) {
    ms += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
    consumed = PART.lastIndex;
  }
  return consumed === rest.length && Number.isFinite(ms) ? sign * ms : undefined;
}
