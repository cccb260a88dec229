/**
 * Raw TCP clients for the admin server's socket-level tests: what a hostile client does that an HTTP
 * library would not (dribble a body, never finish the headers, hold streams open), and a way to see
 * exactly what the server answered and whether it hung up. Connects to 127.0.0.1 only.
 */
import { connect, type Socket } from 'node:net';

export interface RawConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** The status code of the first response, once its status line arrived. */
  status(): number | undefined;
  /** Resolves once the server closed the connection (or it failed). */
  closed: Promise<void>;
  isClosed(): boolean;
  destroy(): void;
}

/** Opens a connection and writes `first` (may be a partial request). */
export function rawConnect(port: number, first = ''): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    let done = false;
    const closed = new Promise<void>((settle) => {
      socket.once('close', () => {
        done = true;
        settle();
      });
    });
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    // A reset after the answer is the server hanging up on a client still writing: still closed.
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      if (first) socket.write(first);
      resolve({
        socket,
        received: () => text,
        status: () => {
          const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
          return match ? Number(match[1]) : undefined;
        },
        closed,
        isClosed: () => done,
        destroy: () => socket.destroy(),
      });
    });
    socket.once('error', reject);
  });
}

/** Headers of a request whose body is announced and never sent in full. */
export function slowPostHead(path: string, authorization?: string, length = 1_000_000): string {
  return [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    `Content-Length: ${length}`,
    ...(authorization ? [`Authorization: ${authorization}`] : []),
    '',
    '{"reason":"',
  ].join('\r\n');
}

/** A request line and one header, never finished (slowloris). */
export const slowlorisHead = (path = '/healthz') => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`;

/** A complete GET of the event stream, kept open by the server. */
export const streamRequest = (authorization: string) =>
  `GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: ${authorization}\r\n\r\n`;

/** Waits until `check` holds, polling every 10 ms, or fails naming `what`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Opens `count` connections, `batch` at a time (a burst of thousands at once overflows the listen backlog). */
export async function rawConnectMany(port: number, count: number, first: string | ((i: number) => string), batch = 100): Promise<RawConnection[]> {
  const all: RawConnection[] = [];
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    const opened = await Promise.allSettled(Array.from({ length: n }, (_, j) => rawConnect(port, typeof first === 'string' ? first : first(i + j))));
    for (const o of opened) if (o.status === 'fulfilled') all.push(o.value);
  }
  return all;
}
