/**
 * A TCP proxy on 127.0.0.1 that a test can cut, to stand between one replica and its database.
 *
 * - `forward`: bytes pass both ways.
 * - `blackhole`: the realistic partition. Connections stay open and new ones are accepted (the
 *   kernel would complete the handshake anyway), but nothing is passed on in either direction, a
 *   close included: the peer on the far side never learns anything happened. Neither side gets an
 *   error; each only sees silence, so only its own timeouts can save it.
 * - `heal()`: forwarding resumes. By default what was held is delivered late, in order, as TCP
 *   retransmission would after a short cut (late writes reaching the database are the dangerous
 *   case fencing must survive). `heal({ reset: true })` instead destroys the connections that
 *   lived through the cut, as after a cut long enough for TCP to give up.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'forward' | 'blackhole';

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  readonly mode: ProxyMode;
  /** Connections open through the proxy now (each a client and, once connected, an upstream socket). */
  readonly connections: number;
  /** Bytes accepted during blackhole and not (yet) delivered. */
  readonly heldBytes: number;
  blackhole(): void;
  heal(options?: { reset?: boolean }): void;
  close(): Promise<void>;
}

/** One direction of one connection: where bytes go, and what is held while cut. */
interface Lane {
  to: () => Socket | undefined;
  held: Buffer[];
  /** The sending side ended (FIN) or went away while cut: pass the end on at heal. */
  ended: boolean;
  /** The sending side's end was seen (passed on or held): passed on once only. */
  sawEnd: boolean;
}

class Link {
  readonly client: Socket;
  upstream: Socket | undefined;
  readonly up: Lane;
  readonly down: Lane;

  constructor(client: Socket) {
    this.client = client;
    this.up = { to: () => this.upstream, held: [], ended: false, sawEnd: false };
    this.down = { to: () => this.client, held: [], ended: false, sawEnd: false };
  }

  get gone(): boolean {
    return this.client.closed && (this.upstream === undefined || this.upstream.closed);
  }
}

export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const host = target.host ?? '127.0.0.1';
  const links = new Set<Link>();
  let mode: ProxyMode = 'forward';

  /** Passes bytes or an end on now, or holds them while cut (a cut loses nothing, it delays it). */
  const send = (lane: Lane, chunk: Buffer | 'end') => {
    if (chunk === 'end') {
      if (lane.sawEnd) return;
      lane.sawEnd = true;
    }
    const to = lane.to();
    if (mode === 'forward' && to && !to.destroyed) {
      if (chunk === 'end') to.end();
      else to.write(chunk);
      return;
    }
    if (chunk === 'end') lane.ended = true;
    else lane.held.push(chunk);
  };

  const flush = (lane: Lane) => {
    const to = lane.to();
    if (!to || to.destroyed) return;
    for (const chunk of lane.held.splice(0)) to.write(chunk);
    if (lane.ended) to.end();
  };

  /** Each socket passes on its bytes and its end; a reset or an abrupt close counts as an end. */
  const attach = (link: Link, socket: Socket, lane: Lane) => {
    socket.on('data', (chunk: Buffer) => send(lane, chunk));
    socket.on('end', () => send(lane, 'end'));
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => {
      send(lane, 'end');
      if (link.gone) links.delete(link);
    });
  };

  /** Connects upstream; a connection accepted during the cut reaches the far side only at heal. */
  const wire = (link: Link) => {
    link.upstream = connect({ host, port: target.port, allowHalfOpen: true });
    attach(link, link.upstream, link.down);
    flush(link.up);
  };

  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    const link = new Link(client);
    links.add(link);
    attach(link, client, link.up);
    if (mode === 'forward') wire(link);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  return {
    port,
    get mode() {
      return mode;
    },
    get connections() {
      return links.size;
    },
    get heldBytes() {
      let n = 0;
      for (const link of links) for (const chunk of [...link.up.held, ...link.down.held]) n += chunk.length;
      return n;
    },
    blackhole() {
      mode = 'blackhole';
    },
    heal({ reset = false } = {}) {
      mode = 'forward';
      for (const link of [...links]) {
        if (reset) {
          link.client.destroy();
          link.upstream?.destroy();
          links.delete(link);
          continue;
        }
        // Accepted during the cut and already given up on: the far side never heard of it.
        if (!link.upstream && link.client.closed) {
          links.delete(link);
          continue;
        }
        if (!link.upstream) wire(link);
        else flush(link.up);
        flush(link.down);
      }
    },
    async close() {
      for (const link of [...links]) {
        link.client.destroy();
        link.upstream?.destroy();
      }
      links.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
