/**
 * Malformed requests for the admin API, drawn from a seeded PRNG so a failing case replays: each
 * case is a real route with one or more of its parts broken (path, method, query, body, headers),
 * from one of a few client addresses (so the failed-auth limit blocks some and not others), with
 * issue 16's hostile shapes among them: deep nesting, odd version spellings, control characters,
 * secrets in parameters.
 */
import type { InjectOptions } from 'fastify';
import { mulberry32, type Rng } from '../../src/sim/prng.ts';
import { image, OPERATOR, VIEWER } from './harness.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS';
/** Every route the admin server registers (fuzz.test.ts checks that none is missing). */
export const ROUTES: [Method, string][] = [
  ['GET', '/api/v1/status'],
  ['GET', '/api/v1/targets'],
  ['GET', '/api/v1/targets/:name'],
  ['GET', '/api/v1/targets/:name/releases'],
  ['GET', '/api/v1/targets/:name/journal'],
  ['GET', '/api/v1/targets/:name/series'],
  ['GET', '/api/v1/events'],
  ['GET', '/api/v1/whoami'],
  ['GET', '/api/v1/audit'],
  ['GET', '/api/v1/gate'],
  ['GET', '/api/v1/incidents'],
  ['GET', '/api/v1/incidents/:id'],
  ['GET', '/api/v1/incidents/:id/postmortem'],
  ['GET', '/api/v1/mobile'],
  ['GET', '/api/v1/mobile/:name/updates'],
  ['POST', '/api/v1/mobile/:name/rollback'],
  ['POST', '/api/v1/deploys'],
  ['POST', '/api/v1/targets/:name/rollback'],
  ['POST', '/api/v1/targets/:name/pause'],
  ['POST', '/api/v1/targets/:name/resume'],
  ['POST', '/api/v1/pause'],
  ['POST', '/api/v1/resume'],
  ['POST', '/api/v1/mode'],
  ['POST', '/api/v1/targets/:name/approve'],
  ['POST', '/api/v1/targets/:name/veto'],
  ['POST', '/api/v1/targets/:name/abort'],
  ['POST', '/api/v1/targets/:name/releases/:version/mark-good'],
  ['POST', '/api/v1/targets/:name/releases/:version/mark-bad'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
  ['GET', '/metrics'],
  ['GET', '/docs/json'],
  ['GET', '/docs/yaml'],
  ['GET', '/docs'],
  ['GET', '/'],
  ['GET', '/targets/:name'],
  ['GET', '/incidents'],
  ['GET', '/incidents/:id'],
  ['GET', '/ui/static/app.css'],
  ['GET', '/ui/vendor/uplot/uPlot.min.css'],
];
/** Where requests come from: a few addresses, so the failed-auth limit blocks some and not others. */
export const ADDRESSES = ['127.0.0.1', '192.0.2.10', '198.51.100.20', '2001:db8::30'];
const METHODS: Method[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
const KEYS = ['reason', 'version', 'image', 'force', 'mode', 'target', 'limit', 'strict', 'commitSha', '__proto__', 'constructor', 'prototype', 'toString', '', 'ẞ', '\u0000', 'a.b', '$where', 'token', 'api_token', 'password', 'lastEventId', 'since', 'toGroup'];
const WEIRD = ['', ' ', '..', '%2e%2e', '%00', '%E0%A4%A', '%', '%%', '%2F', '😀', 'ẞ', '\u202e', '__proto__', 'constructor', 'api/../api', 'API', '-rf', '*', 'null', '[]', '{}', 'api%20', 'ａｐｉ', '0x1', '00001', '1e3', '1.0', '+1', '\u001b[2J'];
const NUMBERS = [0, -1, 1, 1.5, 2 ** 31, 2 ** 53 + 1, 1e309, -0, Number.MAX_SAFE_INTEGER];
const TOKENS = [OPERATOR, OPERATOR, OPERATOR, VIEWER, 'garbage', `${OPERATOR}x`, 'x'.repeat(5000)];

// String() would call a generated own `toString` key; JSON never does.
const text = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined'));
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)] as T;

function randomString(rng: Rng): string {
  switch (int(rng, 5)) {
    case 0:
      return pick(rng, WEIRD);
    case 1:
      return 'x'.repeat(int(rng, 2000));
    case 2:
      return String.fromCodePoint(...Array.from({ length: 1 + int(rng, 20) }, () => int(rng, 0x10ffff + 1) & ~0x800)); // skip most surrogates
    case 3:
      return image(1 + int(rng, 3));
    default:
      return pick(rng, ['api', 'auto', 'approve', 'dry-run', 'true', '1', 'abc1234']);
  }
}

function randomValue(rng: Rng, depth = 0): unknown {
  switch (int(rng, depth > 3 ? 4 : 7)) {
    case 0:
      return randomString(rng);
    case 1:
      return pick(rng, NUMBERS);
    case 2:
      return pick(rng, [true, false, null]);
    case 3:
      return int(rng, 5);
    case 4:
      return Array.from({ length: int(rng, 4) }, () => randomValue(rng, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: int(rng, 4) }, () => [pick(rng, KEYS), randomValue(rng, depth + 1)]));
  }
}

/** A JSON text, sometimes broken, sometimes with keys JSON.parse would turn into prototype writes. */
function randomBody(rng: Rng): string {
  switch (int(rng, 10)) {
    case 0:
      return JSON.stringify(randomValue(rng)).slice(0, 1 + int(rng, 40)); // truncated
    case 1:
      return `{"__proto__":${JSON.stringify(randomValue(rng))}}`;
    case 2:
      return `{"constructor":{"prototype":${JSON.stringify(randomValue(rng))}}}`;
    case 3:
      return `{"reason":"${'y'.repeat(65_000 + int(rng, 10_000))}"}`; // beyond the 64 KiB limit
    case 4:
      return pick(rng, ['', 'null', '[]', '"x"', '1e999', 'NaN', '{"a":1,}', '\ufeff{}', '{"version":1}{"version":2}', '{"version":1e0}', '{"version":1.0}', '{"version":-0}', '{"version":0x1}']);
    case 5: {
      // Nested far deeper than any admin body (issue 16), inside a field or as the whole body.
      const depth = 100 + int(rng, 20_000);
      const [open, close] = rng() < 0.5 ? ['[', ']'] : ['{"a":', '}'];
      const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
      return rng() < 0.5 ? nested : `{"reason":${nested}}`;
    }
    case 6:
      return JSON.stringify({ reason: `${pick(rng, ['\u001b[2J\u001b[H', '\r\nFAKE', '\u009b31m', '\u202e'])}${randomString(rng)}`, ...(rng() < 0.5 && { token: OPERATOR }) });
    default:
      return JSON.stringify(randomValue(rng)) ?? 'null';
  }
}

function randomQuery(rng: Rng): string {
  const parts = Array.from({ length: int(rng, 5) }, () => {
    const key = pick(rng, [...KEYS, 'limit', 'limit', '__proto__[x]', 'constructor[prototype][x]', 'limit[]']);
    return `${encodeURIComponent(key)}=${encodeURIComponent(text(randomValue(rng)))}`;
  });
  if (rng() < 0.2) parts.push('limit=1', 'limit=2'); // a query array
  if (rng() < 0.1) parts.push(`target=api&image=${pick(rng, ['', '%', '%ZZ', 'x'.repeat(3000)])}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function randomPath(rng: Rng, template: string): string {
  let path = template
    .replace(':name', rng() < 0.5 ? 'api' : encodeURIComponent(randomString(rng)).slice(0, int(rng, 2) ? 120 : 5000))
    .replace(':version', rng() < 0.4 ? '1' : rng() < 0.3 ? pick(rng, ['0x1', '00001', '1e3', '1.0', '+1', '-1', '0', '2147483648', '%201']) : encodeURIComponent(text(randomValue(rng))).slice(0, 300))
    .replace(':id', rng() < 0.5 ? 'api-v2-x' : encodeURIComponent(randomString(rng)).slice(0, 300));
  if (rng() < 0.1) path = path.replace(/\/[^/]*$/, `/${pick(rng, WEIRD)}`);
  if (rng() < 0.05) path += '/'.repeat(1 + int(rng, 3));
  if (rng() < 0.03) path = `${path}${'/x'.repeat(500)}`;
  return path;
}

const CONTENT_TYPES = ['application/json', 'application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '', 'application/json, text/plain'];

/** `count` cases from `seed`; the same seed gives the same cases. */
export function fuzzCases(seed: number, count: number): InjectOptions[] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const [routeMethod, template] = pick(rng, ROUTES);
    const method = rng() < 0.15 ? pick(rng, METHODS) : routeMethod;
    const headers: Record<string, string> = {};
    if (rng() < 0.9) headers.authorization = rng() < 0.95 ? `Bearer ${pick(rng, TOKENS)}` : pick(rng, ['Basic b3BzOng=', 'Bearer', 'bearer  ', '\u00ff', `Bearer ${OPERATOR} ${OPERATOR}`, `Bearer\t${VIEWER}`]);
    if (rng() < 0.05) headers['last-event-id'] = pick(rng, ['1', '-1', '0x10', '1e3', '99999999999999999999', 'abc', '']);
    const withBody = method !== 'GET' && method !== 'HEAD' ? rng() < 0.85 : rng() < 0.1;
    if (withBody) {
      const type = pick(rng, CONTENT_TYPES);
      if (type) headers['content-type'] = type;
    }
    return {
      method,
      url: randomPath(rng, template) + randomQuery(rng),
      headers,
      remoteAddress: pick(rng, ADDRESSES),
      ...(withBody && { payload: randomBody(rng) }),
    } as InjectOptions;
  });
}
