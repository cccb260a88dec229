/**
 * For test files that start admin servers and open raw sockets to them: each test's server and
 * sockets are closed after it, whatever it asserted.
 */
import { afterEach } from 'vitest';
import type { RawConnection } from '../support/raw-http.ts';
import { harness, type Harness, type HarnessOptions } from './harness.ts';

export interface AdminServers {
  /** A harness, closed after the test. */
  start(options?: HarnessOptions): Promise<Harness>;
  /** The same, listening on 127.0.0.1 on a free port. */
  listen(options?: HarnessOptions): Promise<{ h: Harness; port: number }>;
  /** Raw connections to destroy after the test; returns them. */
  keep<T extends RawConnection | RawConnection[]>(connections: T): T;
}

export function adminServers(): AdminServers {
  let current: Harness | undefined;
  const sockets: RawConnection[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await current?.close();
    current = undefined;
  });
  const start = async (options: HarnessOptions = {}) => (current = await harness(options));
  return {
    start,
    async listen(options = {}) {
      const h = await start(options);
      await h.app.listen({ host: '127.0.0.1', port: 0 });
      return { h, port: (h.app.server.address() as { port: number }).port };
    },
    keep(connections) {
      sockets.push(...(Array.isArray(connections) ? connections : [connections]));
      return connections;
    },
  };
}
