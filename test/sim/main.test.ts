/** `npm run sim`: the standalone simulator prints its URLs and answers the fake fly. */
import { execa } from 'execa';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from './helpers.ts';

const MAIN = fileURLToPath(new URL('../../src/sim/main.ts', import.meta.url));
const FLY = fileURLToPath(new URL('../../src/sim/bin/fly', import.meta.url));

describe('src/sim/main.ts', () => {
  it('starts the apps given on the command line and exits on SIGTERM', async () => {
    const child = execa(process.execPath, [MAIN, '--app', 'api=healthy', '--app', 'worker=errors:30', '--deploy-ms', '50', '--rate', '0'], {
      reject: false,
      timeout: 20_000,
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor(() => /app +worker http:\/\/127\.0\.0\.1:\d+/.test(output), { timeoutMs: 10_000, what: 'startup output' });
      const control = /^control +(http:\/\/127\.0\.0\.1:\d+)$/m.exec(output)?.[1] ?? '';
      const fly = await execa(FLY, ['releases', '-a', 'worker', '--json'], {
        env: { FLY_API_BASE_URL: control, FLY_API_TOKEN: 't', PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
        reject: false,
      });
      expect(fly.exitCode).toBe(0);
      expect(JSON.parse(String(fly.stdout))).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
    }
    const result = await child;
    expect(result.exitCode).toBe(0);
  });

  it('rejects a bad profile with exit code 2', async () => {
    const result = await execa(process.execPath, [MAIN, '--app', 'api=wobbly'], { reject: false, timeout: 20_000 });
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain('Invalid behaviour profile "wobbly"');
  });
});
