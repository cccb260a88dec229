/**
 * Another process's hold on the daemon's SQLite file, as in issue 16 (a backup, a `sqlite3` shell
 * left in a transaction): a second connection that takes the write lock and keeps it. In WAL mode
 * readers still read beside it; every writer gets SQLITE_BUSY until it is released.
 */
import { DatabaseSync } from 'node:sqlite';

export class ExternalLock {
  readonly #db: DatabaseSync;
  #held = false;

  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    // Taking the lock may have to wait for a write of the daemon's own to commit (milliseconds).
    this.#db.exec('PRAGMA busy_timeout = 2000');
  }

  get held(): boolean {
    return this.#held;
  }

  take(): void {
    this.#db.exec('BEGIN EXCLUSIVE');
    this.#held = true;
  }

  release(): void {
    if (!this.#held) return;
    this.#db.exec('ROLLBACK');
    this.#held = false;
  }

  close(): void {
    this.release();
    this.#db.close();
  }
}

/** The longest the event loop went without running a 10 ms timer, from now until `stop()`. */
export function watchLoopStalls(): { stop: () => number } {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(longest, performance.now() - last);
    },
  };
}
