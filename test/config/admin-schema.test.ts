import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminOptions, DEFAULT_ADMIN_LIMITS } from '../../src/admin/limits.ts';
import { DEFAULT_AUDIT_RETENTION } from '../../src/admin/audit-retention.ts';
import { DEFAULT_ACTION_RATE_LIMIT } from '../../src/admin/rate-limit.ts';
import { loadConfig, MAX_CONFIG_BYTES, parseConfig } from '../../src/config/load.ts';

const targets = `
targets:
  - name: api
    probes: [{ name: health, url: "http://127.0.0.1:8080/health" }]
`;

describe('admin limits and audit retention in the config', () => {
  it('default to what buildApp uses without a config', () => {
    const { config } = parseConfig(targets, {});
    expect(adminOptions(config.admin)).toEqual({
      bodyLimit: 64 * 1024,
      rateLimit: DEFAULT_ACTION_RATE_LIMIT,
      limits: DEFAULT_ADMIN_LIMITS,
      auditRetention: DEFAULT_AUDIT_RETENTION,
    });
  });

  it('take every setting, durations included', () => {
    const { config } = parseConfig(
      `admin:
  limits: { maxConnections: 100, headersTimeout: 2s, requestTimeout: 5s, keepAliveTimeout: 1s, maxBodyBytes: 2048, eventStreams: 10, eventStreamsPerToken: 2, failedAuth: { max: 5, window: 10m }, actions: { max: 3 } }
  audit: { maxAge: 30d, maxEntries: 1000 }
${targets}`,
      {},
    );
    expect(adminOptions(config.admin)).toEqual({
      bodyLimit: 2048,
      rateLimit: { max: 3, windowMs: 60_000 },
      limits: { maxConnections: 100, headersTimeoutMs: 2_000, requestTimeoutMs: 5_000, keepAliveTimeoutMs: 1_000, eventStreams: 10, eventStreamsPerToken: 2, failedAuth: { max: 5, windowMs: 600_000 } },
      auditRetention: { maxAgeMs: 30 * 86_400_000, maxEntries: 1000 },
    });
  });

  it.each([
    ['admin: { limits: { headersTimeout: 1m, requestTimeout: 30s } }', 'admin.limits.headersTimeout: must not be longer than requestTimeout'],
    ['admin: { limits: { maxConnections: 32, eventStreams: 32 } }', 'admin.limits.eventStreams: must be below maxConnections'],
    ['admin: { limits: { maxConnections: 2 } }', 'admin.limits.maxConnections: Too small'],
    ['admin: { limits: { connections: 2 } }', 'admin.limits.connections: unknown key'],
    ['admin: { audit: { maxAge: forever } }', 'admin.audit.maxAge: expected a positive duration'],
  ])('rejects %s', (yaml, problem) => {
    expect(() => parseConfig(`${yaml}\n${targets}`, {})).toThrow(problem);
  });
});

describe('config file size', () => {
  it('reads a file up to the limit and refuses one byte more, naming the file and the limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wd-size-'));
    try {
      const atLimit = join(dir, 'at-limit.yaml');
      writeFileSync(atLimit, targets + '#'.repeat(MAX_CONFIG_BYTES - targets.length - 1) + '\n');
      await expect(loadConfig(atLimit, {})).resolves.toMatchObject({ config: { targets: [{ name: 'api' }] } });
      const over = join(dir, 'over.yaml');
      writeFileSync(over, targets + '#'.repeat(MAX_CONFIG_BYTES - targets.length) + '\n');
      await expect(loadConfig(over, {})).rejects.toMatchObject({ code: 'WD_ERR_CONFIG_TOO_LARGE', message: `Config file ${over} is larger than 1 MiB: refusing to read it` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an endless stream (a device, a pipe) after reading just past the limit', async () => {
    await expect(loadConfig('/dev/zero', {})).rejects.toMatchObject({ code: 'WD_ERR_CONFIG_TOO_LARGE' });
  });
});
