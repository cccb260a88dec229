import { describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../src/infra/secrets.ts';
import { captureLogger } from '../fakes/logger.ts';

describe('logger', () => {
  it('masks secret values anywhere in a line, and secret keys by name', () => {
    const secrets = new SecretRegistry();
    secrets.add('fo1_tokenvalue_abcdef');
    const { logger, lines } = captureLogger(secrets);
    logger.error({ err: new Error('flyctl said: bad token fo1_tokenvalue_abcdef'), apiToken: 'x', headers: { authorization: 'Bearer zzz' } }, 'failed');
    logger.info('url https://hooks.example/fo1_tokenvalue_abcdef');
    const text = lines.join('\n');
    expect(text).not.toContain('fo1_tokenvalue_abcdef');
    expect(text).not.toContain('Bearer zzz');
    expect(text).toContain('[REDACTED]');
  });

  it('ignores values too short to mask safely', () => {
    const secrets = new SecretRegistry();
    secrets.add('abc');
    expect(secrets.size).toBe(0);
    expect(secrets.mask('abc')).toBe('abc');
  });
});
