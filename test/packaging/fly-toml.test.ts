import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

interface FlyToml {
  env: Record<string, string>;
  files: { guest_path: string; local_path: string }[];
  mounts: { source: string; destination: string }[];
  metrics: { port: number; path: string };
  checks: Record<string, { type: string; port: number; path: string }>;
  kill_timeout: string;
}

describe('fly.toml (the watchdog deployed on Fly)', () => {
  const toml = parse(read('fly.toml')) as unknown as FlyToml;
  const env = { FLY_API_TOKEN: 'fo1_example_token', WATCHDOG_OPERATOR_TOKEN: 'o'.repeat(20), WATCHDOG_VIEWER_TOKEN: 'v'.repeat(20), SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x', PAGERDUTY_ROUTING_KEY: 'r'.repeat(20), EXPO_TOKEN: 'e'.repeat(20) };

  it('points [metrics] and the health check at the admin port and the routes the code serves', async () => {
    const shipped = toml.files.find((f) => f.guest_path === toml.env.ROLLBACK_WATCHDOG_CONFIG);
    expect(shipped, 'fly.toml ships the config file the daemon reads').toBeDefined();
    const { config } = await loadConfig(new URL(shipped!.local_path, root).pathname, env);
    expect(toml.metrics).toEqual({ port: config.admin.port, path: '/metrics' });
    const check = Object.values(toml.checks)[0]!;
    expect(check).toMatchObject({ type: 'http', port: config.admin.port, path: '/healthz' });
    // The admin API must be reachable on Fly's private (IPv6) network, not only on loopback.
    expect(config.admin.host).toBe('::');
  });

  it('mounts the volume where the SQLite store lives', async () => {
    const { config } = await loadConfig(new URL('config/watchdog.example.yaml', root).pathname, env);
    expect(toml.mounts[0]?.destination).toBe(dirname(config.store.sqlite));
  });

  it('gives the daemon longer to stop than its own shutdown grace', async () => {
    const { config } = await loadConfig(new URL('config/watchdog.example.yaml', root).pathname, env);
    expect(Number.parseInt(toml.kill_timeout, 10) * 1000).toBeGreaterThan(config.shutdownGrace);
  });

  it('matches the Dockerfile: config path, exposed port, non-root user, flyctl installed', async () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toContain(`ROLLBACK_WATCHDOG_CONFIG=${toml.env.ROLLBACK_WATCHDOG_CONFIG}`);
    expect(dockerfile).toContain(`EXPOSE ${toml.metrics.port}`);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/COPY --from=flyctl \S+ \/usr\/local\/bin\/fly/);
  });
});
