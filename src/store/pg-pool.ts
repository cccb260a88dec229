/**
 * The pg connection pool as the store uses it: numbers for bigint columns, bounded waits, and one
 * transaction helper that always rolls back and never returns a broken connection to the pool.
 */
import { Pool, TypeOverrides, type PoolClient } from 'pg';

export interface PoolOptions {
  /** Most connections held at once. Default 5: the guard loop writes serially, the admin API reads. */
  max?: number;
  /** How long to wait for a connection (connect or a free pool slot). Default 10 s. */
  connectionTimeoutMs?: number;
  /** Server-side limit for one statement. Default 30 s. */
  statementTimeoutMs?: number;
  /**
   * Client-side limit for one query. Unlike the server's statement timeout it also ends a query
   * whose connection went silent (a network cut), so nothing waits forever. Default: none.
   */
  queryTimeoutMs?: number;
  /** How long a statement may wait for a row lock. Default: no limit. */
  lockTimeoutMs?: number;
  /**
   * The server ends a session idle inside a transaction for this long (default 15 s): a replica cut
   * off mid-transaction must not hold row locks (a lease) that another replica needs.
   */
  idleInTransactionTimeoutMs?: number;
  /** Called with idle connections' errors (e.g. the server restarted); the pool replaces them. */
  onError?: (err: Error) => void;
}

/** OID of int8 (bigint). */
const INT8 = 20;

export function createPool(connectionString: string, options: PoolOptions = {}): Pool {
  // Epoch ms and identity ids are bigint; they stay far below 2^53, so numbers are exact. Set per
  // pool, not on pg's global `types`, so another pg user in the process keeps its own parsing.
  const types = new TypeOverrides();
  types.setTypeParser(INT8, (value: string) => Number(value));
  const pool = new Pool({
    connectionString,
    types,
    max: options.max ?? 5,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 15_000,
    ...(options.queryTimeoutMs !== undefined && { query_timeout: options.queryTimeoutMs }),
    ...(options.lockTimeoutMs !== undefined && { lock_timeout: options.lockTimeoutMs }),
    application_name: 'rollback-watchdog',
    keepAlive: true,
  });
  // Without a listener an idle connection's error (server restart, network cut) crashes the process.
  pool.on('error', (err) => options.onError?.(err));
  return pool;
}

/**
 * Runs `work` in one transaction on one connection: COMMIT if it resolves, ROLLBACK if it throws
 * (then rethrows). A connection that cannot even roll back is destroyed instead of reused.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client has no 'error' listener (the pool's is only on idle clients), and pg emits
  // 'error' when the connection dies, even between statements: the server ending a session idle in
  // a transaction, a failover, a network cut healing into a reset. Unheard, that killed the process
  // (found by test/integration/replicas-partition.test.ts). The statement in flight rejects anyway;
  // the error only marks the connection as not to be reused.
  const onError = (err: Error) => {
    broken ??= err;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
      broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
    });
    throw err;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}
