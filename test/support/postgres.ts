/**
 * A throwaway PostgreSQL cluster for store tests (Debian package `postgresql`): `initdb` into a
 * temp dir, a server on 127.0.0.1 and a free port, password (SCRAM) auth so the URL carries a real
 * secret, and no fsync, because the data dies with the test run anyway.
 */
import { execFile } from 'node:child_process';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './http-server.ts';

const run = promisify(execFile);

/** `$PG_BIN`, else the newest `/usr/lib/postgresql/<version>/bin` (Debian keeps them off PATH). */
function findBinDir(): string | undefined {
  const candidates = process.env.PG_BIN ? [process.env.PG_BIN] : [];
  try {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // no Debian PostgreSQL at all
  }
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

export const postgresBinDir = findBinDir();
/** Tests skip (visibly) without PostgreSQL, except in CI, where a missing server must fail the run. */
export const skipPostgres = postgresBinDir === undefined && !process.env.CI;

export interface PostgresServer {
  /** `postgres://watchdog:PASSWORD@127.0.0.1:PORT/watchdog_test`. */
  url: string;
  /** Creates another empty database on the same server and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const USER = 'watchdog';
const DATABASE = 'watchdog_test';

/** Starts a cluster and creates the test database. Retries once if the free port was taken meanwhile. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir;
  if (!bin) throw new Error('PostgreSQL is not installed: no initdb under /usr/lib/postgresql/*/bin (apt-get install postgresql)');
  const dir = await mkdtemp(join(tmpdir(), 'wd-pg-'));
  const asOwner = await ownerFor(dir);
  const password = randomBytes(12).toString('hex');
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const pwfile = join(dir, 'pwfile');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  await asOwner.chown(pwfile);
  const stop = async () => {
    await asOwner.run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await asOwner.run(join(bin, 'initdb'), ['-D', data, '-U', USER, `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await rm(pwfile);
    const port = await startServer(bin, data, dir, log, asOwner);
    const url = (db: string) => `postgres://${USER}:${password}@127.0.0.1:${port}/${db}`;
    const createDatabase = async (name: string) => {
      const client = new Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return url(name);
    };
    await createDatabase(DATABASE);
    return { url: url(DATABASE), createDatabase, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startServer(bin: string, data: string, dir: string, log: string, asOwner: Owner): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    // Speed over durability: this cluster is deleted at the end of the file.
    const options = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    try {
      await asOwner.run(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '30', '-o', options, 'start']);
      return port;
    } catch (err) {
      const serverLog = await readFile(log, 'utf8').catch(() => '');
      if (attempt < 2 && /could not bind|already in use/i.test(serverLog)) continue;
      throw new Error(`pg_ctl start failed: ${String(err)}\n${serverLog}`);
    }
  }
}

interface Owner {
  run(file: string, args: string[]): Promise<unknown>;
  chown(path: string): Promise<void>;
}

/** Root cannot run PostgreSQL: then the cluster belongs to the `postgres` user the package creates. */
async function ownerFor(dir: string): Promise<Owner> {
  if (userInfo().uid !== 0) return { run: (file, args) => run(file, args), chown: async () => undefined };
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  const [uid, gid] = await Promise.all([id('-u'), id('-g')]).catch(() => {
    throw new Error('running as root, but there is no `postgres` user to run the test cluster as');
  });
  await chown(dir, uid, gid);
  return {
    run: (file, args) => run('runuser', ['-u', 'postgres', '--', file, ...args], { cwd: dir }),
    chown: (path) => chown(path, uid, gid),
  };
}
