import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  /** A URL on this receiver; put a secret-looking path in it to test masking. */
  url(path?: string): string;
  readonly requests: Received[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1:0 playing a webhook endpoint. Replies are used in order; the
 * last one repeats. 'hang' reads the request and never answers.
 */
export async function startReceiver(replies: Reply[] = [{ status: 200 }]): Promise<Receiver> {
  const requests: Received[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const reply = replies[Math.min(requests.length, replies.length - 1)] ?? { status: 200 };
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      if (reply === 'hang') return void hanging.push(res);
      res.writeHead(reply.status, reply.headers).end(reply.body ?? 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `condition` on real time; only for waiting on I/O, never as a timing assertion. */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
