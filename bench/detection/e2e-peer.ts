/**
 * The do-it-yourself peer's last mile: the webhook Alertmanager calls. On the first firing alert
 * for an app it does what such scripts do: `fly deploy` of the previous image with the immediate
 * strategy, then polls the app until health and readiness answer 200 (verified).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import type { Simulator } from '../../src/sim/simulator.ts';

const run = promisify(execFile);
/** flyctl (and the fake fly) reads ./fly.toml, and the repository root holds the watchdog's own. */
const EMPTY_DIR = mkdtempSync(join(tmpdir(), 'e2e-peer-fly-'));

export interface PeerRollback {
  app: string;
  /** When the webhook received the app's first firing alert (epoch ms). */
  alertAt: number;
  /** When `fly deploy` of the previous image returned. */
  deployedAt?: number;
  /** When health and readiness both first answered 200 after the deploy. */
  verifiedAt?: number;
  error?: string;
}

export interface PeerWebhook {
  url: string;
  /** By app: rollbacks the peer started. */
  readonly rollbacks: ReadonlyMap<string, PeerRollback>;
  close(): Promise<void>;
}

export interface PeerOptions {
  sim: Simulator;
  /** The image to go back to, as the user's script would look it up (`fly releases --image`). */
  previousImage(app: string): string | undefined;
  verifyTimeoutMs: number;
  verifyPollMs: number;
}

interface AlertmanagerPayload {
  alerts?: { status?: string; labels?: Record<string, string> }[];
}

export async function startPeerWebhook(options: PeerOptions): Promise<PeerWebhook> {
  const rollbacks = new Map<string, PeerRollback>();
  const running = new Set<Promise<void>>();
  const stop = new AbortController();
  const server: Server = createServer((req, res) => {
    void readJson(req).then((body) => {
      res.writeHead(200).end();
      for (const alert of body?.alerts ?? []) {
        const app = alert.labels?.app;
        if (alert.status !== 'firing' || app === undefined || rollbacks.has(app)) continue;
        const rollback: PeerRollback = { app, alertAt: Date.now() };
        rollbacks.set(app, rollback);
        const task = rollBack(rollback, options, stop.signal).catch((err) => {
          rollback.error = (err as Error).message;
        });
        running.add(task);
        void task.finally(() => running.delete(task));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    rollbacks,
    close: async () => {
      stop.abort();
      await Promise.allSettled(running);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function rollBack(rollback: PeerRollback, o: PeerOptions, signal: AbortSignal): Promise<void> {
  const image = o.previousImage(rollback.app);
  if (image === undefined) throw new Error(`no previous image known for ${rollback.app}`);
  await run(o.sim.flyBinary, ['deploy', '--image', image, '--app', rollback.app, '--strategy', 'immediate', '-y'], {
    env: o.sim.flyEnv(),
    cwd: EMPTY_DIR,
    timeout: 60_000,
    signal,
  });
  rollback.deployedAt = Date.now();
  const url = o.sim.appUrl(rollback.app);
  const deadline = Date.now() + o.verifyTimeoutMs;
  while (Date.now() < deadline && !signal.aborted) {
    if ((await answers200(`${url}/api/v1/health`)) && (await answers200(`${url}/api/v1/ready`))) {
      rollback.verifiedAt = Date.now();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, o.verifyPollMs));
  }
  throw new Error(`${rollback.app} not healthy within ${o.verifyTimeoutMs} ms of its rollback`);
}

async function answers200(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** The request body as JSON; undefined when it is not JSON (Alertmanager always sends JSON). */
async function readJson(req: IncomingMessage): Promise<AlertmanagerPayload | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as AlertmanagerPayload;
  } catch {
    return undefined;
  }
}
