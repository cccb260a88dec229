import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { deprecatedSettings } from '../../src/config/deprecations.ts';

const config = (probe: string, source = '') => `
targets:
  - name: api
    probes:
      - { name: health, url: "http://127.0.0.1:1/health" }
      - ${probe}
${source}`;

describe('deprecatedSettings', () => {
  it('is empty for a current config', () => {
    expect(deprecatedSettings(parseConfig(config('{ name: machines, type: platform-checks }')).config)).toEqual([]);
  });

  it('names platform-checks autostop and the Prometheus authScheme, still accepted', () => {
    const text = config('{ name: machines, type: platform-checks, autostop: true }', `    errorRate:
      source: { type: prometheus, url: "http://127.0.0.1:9090", requests: r, errors: e, authScheme: FlyV1 }`);
    expect(deprecatedSettings(parseConfig(text).config).map((d) => d.path)).toEqual([
      'targets[0].probes[1].autostop',
      'targets[0].errorRate.source.authScheme',
    ]);
  });
});
