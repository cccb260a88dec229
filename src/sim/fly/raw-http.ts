/**
 * A minimal HTTP/1.1 client on `node:net`, for the fake fly's calls to the control server. Why not
 * fetch or node:http: on Node 24 either one loads undici, which costs ~90 ms of CPU per process
 * (measured: `fly releases` 155 ms of CPU with fetch, a third of it undici's loading), and the
 * watchdog starts one fake fly per target per poll (1,000 per poll in the scale benchmark).
 * One request per connection (`Connection: close`), plain http only, the whole body in memory:
 * enough for the control API's JSON, nothing more.
 */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
}

/** A transport failure, with the socket error's code (ECONNREFUSED…) as fetch's `cause.code` had it. */
export class RawHttpError extends Error {
  override readonly name = 'RawHttpError';
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export function rawRequest(method: string, url: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  const target = new URL(url);
  if (target.protocol !== 'http:') return Promise.reject(new RawHttpError('ERR_UNSUPPORTED_PROTOCOL', `${target.protocol} is not supported`));
  const payload = body === undefined ? undefined : Buffer.from(body);
  const head = [
    `${method} ${target.pathname}${target.search} HTTP/1.1`,
    `host: ${target.host}`,
    'connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ...(payload ? [`content-length: ${payload.length}`] : []),
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port || 80), target.hostname.replace(/^\[|\]$/g, ''));
    const chunks: Buffer[] = [];
    // write, not end: a half-closed socket makes Node's HTTP server drop a pending (long-poll) response.
    socket.on('connect', () => socket.write(payload ? Buffer.concat([Buffer.from(head), payload]) : head));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => reject(new RawHttpError(err.code ?? 'ECONNRESET', err.message)));
    socket.on('end', () => {
      socket.destroy();
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** Parses a complete response read up to the server closing the connection. Exported for tests. */
export function parseResponse(raw: Buffer): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  if (split === -1) throw new RawHttpError('UND_ERR_SOCKET', 'connection closed before the response headers ended');
  const [statusLine = '', ...headerLines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
  if (!match) throw new RawHttpError('UND_ERR_SOCKET', `not an HTTP response: ${statusLine.slice(0, 60)}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(split + 4);
  if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(match[1]), statusText: match[2] ?? '', headers, body: body.toString('utf8') };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd === -1) throw new RawHttpError('UND_ERR_SOCKET', 'chunked body cut short');
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) throw new RawHttpError('UND_ERR_SOCKET', 'bad chunk size');
    if (size === 0) return Buffer.concat(parts);
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
