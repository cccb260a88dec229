/**
 * The partition proxy against a real TCP server that records what reaches it: forwarding, a cut
 * that neither side can notice (sockets stay open, nothing arrives), and healing by late delivery
 * or by reset.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollUntil } from './poll.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

/** An upstream that records every byte and connection, and echoes bytes prefixed with `echo:`. */
interface Upstream {
  server: Server;
  port: number;
  received: () => string;
  accepted: number;
  closedByPeer: number;
}

async function startUpstream(): Promise<Upstream> {
  let received = '';
  const up: Upstream = { server: undefined as unknown as Server, port: 0, received: () => received, accepted: 0, closedByPeer: 0 };
  up.server = createServer((socket) => {
    up.accepted++;
    socket.on('data', (chunk) => {
      received += chunk.toString();
      socket.write(`echo:${chunk.toString()}`);
    });
    socket.on('end', () => {
      up.closedByPeer++;
      socket.end();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => up.server.listen(0, '127.0.0.1', resolve));
  up.port = (up.server.address() as { port: number }).port;
  return up;
}

/** A client socket that accumulates what it reads. */
async function dial(port: number): Promise<{ socket: Socket; read: () => string; closed: () => boolean }> {
  const socket = connect({ host: '127.0.0.1', port });
  let read = '';
  let closed = false;
  socket.on('data', (chunk) => (read += chunk.toString()));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  return { socket, read: () => read, closed: () => closed };
}

describe('tcp proxy', () => {
  let upstream: Upstream;
  let proxy: TcpProxy;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    upstream = await startUpstream();
    proxy = await startTcpProxy({ port: upstream.port });
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await proxy.close();
    await new Promise<void>((resolve) => upstream.server.close(() => resolve()));
  });

  it('forwards both ways', async () => {
    const c = await dial(proxy.port);
    sockets.push(c.socket);
    c.socket.write('hello');
    await pollUntil(() => c.read() === 'echo:hello', { what: 'the echo' });
    expect(upstream.received()).toBe('hello');
    expect(proxy.connections).toBe(1);
  });

  it('blackhole: accepts bytes, forwards none, keeps the socket open; heal delivers them late, in order', async () => {
    const c = await dial(proxy.port);
    sockets.push(c.socket);
    c.socket.write('before;');
    await pollUntil(() => c.read() === 'echo:before;', { what: 'the echo before the cut' });
    proxy.blackhole();
    c.socket.write('during-1;');
    c.socket.write('during-2;');
    await pollUntil(() => proxy.heldBytes === 'during-1;during-2;'.length, { what: 'the bytes held' });
    expect(upstream.received()).toBe('before;');
    expect(c.closed()).toBe(false);
    expect(proxy.mode).toBe('blackhole');
    proxy.heal();
    await pollUntil(() => upstream.received() === 'before;during-1;during-2;', { what: 'late delivery' });
    await pollUntil(() => c.read().endsWith('during-2;'), { what: 'the late echo' });
    expect(proxy.heldBytes).toBe(0);
  });

  it('blackhole: a new connection is accepted but reaches the far side only at heal', async () => {
    proxy.blackhole();
    const c = await dial(proxy.port);
    sockets.push(c.socket);
    c.socket.write('x');
    await pollUntil(() => proxy.heldBytes === 1, { what: 'the byte held' });
    expect(upstream.accepted).toBe(0);
    proxy.heal();
    await pollUntil(() => c.read() === 'echo:x', { what: 'the echo after heal' });
    expect(upstream.accepted).toBe(1);
  });

  it('blackhole: a client that goes away is not noticed upstream until heal', async () => {
    const c = await dial(proxy.port);
    c.socket.write('a');
    await pollUntil(() => c.read() === 'echo:a', { what: 'the echo' });
    proxy.blackhole();
    c.socket.destroy();
    await pollUntil(() => c.closed(), { what: 'the client closed' });
    expect(upstream.closedByPeer).toBe(0);
    proxy.heal();
    await pollUntil(() => upstream.closedByPeer === 1, { what: 'the close passed on' });
    await pollUntil(() => proxy.connections === 0, { what: 'the link gone' });
  });

  it('heal with reset: connections that lived through the cut are destroyed; new ones work', async () => {
    const c = await dial(proxy.port);
    sockets.push(c.socket);
    proxy.blackhole();
    c.socket.write('lost');
    await pollUntil(() => proxy.heldBytes === 4, { what: 'the bytes held' });
    proxy.heal({ reset: true });
    await pollUntil(() => c.closed(), { what: 'the reset' });
    expect(upstream.received()).toBe('');
    const d = await dial(proxy.port);
    sockets.push(d.socket);
    d.socket.write('fresh');
    await pollUntil(() => d.read() === 'echo:fresh', { what: 'a fresh connection working' });
  });
});
