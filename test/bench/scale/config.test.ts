import { describe, expect, it } from 'vitest';
import { scaleConfig, type ScaleConfigOptions } from '../../../bench/scale/config.ts';
import { parseConfig } from '../../../src/config/load.ts';

const options: ScaleConfigOptions = {
  dir: '/tmp/wd-scale-test',
  apps: [
    { name: 'scale-0001', url: 'http://127.0.0.1:40001' },
    { name: 'scale-0002', url: 'http://127.0.0.1:40002' },
  ],
  flyBinary: '/work/main/src/sim/bin/fly',
  controlUrl: 'http://127.0.0.1:39999',
  probeInterval: '5s',
  pollSchedule: '0 * * * * *',
};

describe('scale bench: daemon config', () => {
  it('is a valid config: every app a target with health, ready and a scraped error rate, guarding for hours', () => {
    const { config } = parseConfig(scaleConfig(options), {});
    expect(config.targets).toHaveLength(2);
    const [first] = config.targets;
    expect(first?.probes.map((p) => [p.name, 'url' in p ? p.url : undefined])).toEqual([
      ['health', 'http://127.0.0.1:40001/api/v1/health'],
      ['ready', 'http://127.0.0.1:40001/api/v1/ready'],
    ]);
    expect(first?.errorRate?.source).toMatchObject({ type: 'scrape', urls: ['http://127.0.0.1:40001'] });
    expect(config.defaults.guard).toMatchObject({ probeInterval: 5_000, watchWindow: 6 * 3_600_000 });
    expect(config.detection.pollSchedule).toBe('0 * * * * *');
    expect(config.store.sqlite).toBe('/tmp/wd-scale-test/watchdog.db');
    expect(config.platform.fly.maxConcurrent).toBe(8);
  });

  it('passes platform.fly.maxConcurrent through and can leave the error rate out', () => {
    const { config } = parseConfig(scaleConfig({ ...options, maxConcurrent: 3, errorRate: false }), {});
    expect(config.platform.fly.maxConcurrent).toBe(3);
    expect(config.targets.every((t) => t.errorRate === undefined)).toBe(true);
  });

  it.each([0, 65])('refuses platform.fly.maxConcurrent %i', (n) => {
    expect(() => parseConfig(scaleConfig({ ...options, maxConcurrent: n }), {})).toThrow(expect.objectContaining({ code: 'WD_ERR_CONFIG_INVALID' }));
  });
});
