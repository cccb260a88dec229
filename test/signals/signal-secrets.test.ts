import { describe, expect, it } from 'vitest';
import { MASK, SecretRegistry } from '../../src/infra/secrets.ts';
import { collectSignalSecrets } from '../../src/signals/signal-secrets.ts';

describe('collectSignalSecrets', () => {
  it.each([
    ['a Prometheus token', { type: 'prometheus', bearerToken: 'fm2_prom-token-123' }, ['fm2_prom-token-123']],
    ['scrape header values, and the token after the scheme', { type: 'scrape', headers: { authorization: 'Bearer scrape-token-456' } }, ['Bearer scrape-token-456', 'scrape-token-456']],
    ['smoke env values whose names say secret', { type: 'smoke', env: { E2E_PASSWORD: 'hunter2-longer', API_KEY: 'key-value-789', GITHUB_TOKEN: 'ghp_abcdef' } }, ['hunter2-longer', 'key-value-789', 'ghp_abcdef']],
  ])('registers %s', (_what, spec, masked) => {
    const secrets = new SecretRegistry();
    collectSignalSecrets(spec, secrets);
    for (const value of masked) expect(secrets.mask(`x ${value} y`)).toBe(`x ${MASK} y`);
  });

  it('leaves ordinary smoke env values alone: masking them would shred unrelated logs', () => {
    const secrets = new SecretRegistry();
    collectSignalSecrets({ type: 'smoke', env: { BASE_URL: 'https://renderflow.example', NODE_ENV: 'production' } }, secrets);
    expect(secrets.size).toBe(0);
  });

  it('accepts specs without secrets', () => {
    const secrets = new SecretRegistry();
    collectSignalSecrets({ type: 'platform-checks' }, secrets);
    collectSignalSecrets({ type: 'prometheus' }, secrets);
    expect(secrets.size).toBe(0);
  });
});
