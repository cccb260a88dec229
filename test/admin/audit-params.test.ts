import { describe, expect, it } from 'vitest';
import { auditParams, boundedCopy, cleanEntry, maskText, PARAMS_LIMIT } from '../../src/admin/audit-params.ts';
import { MASK, SecretRegistry } from '../../src/infra/secrets.ts';

describe('maskText', () => {
  const secrets = new SecretRegistry();
  secrets.add('configured-secret-value');
  it.each([
    ['a configured secret, by value', 'reason: configured-secret-value!', `reason: ${MASK}!`],
    ['a bearer token', 'sent Authorization: Bearer abcdefgh12345678', `sent Authorization: Bearer ${MASK}`],
    ['basic credentials', 'Basic b3BzOmh1bnRlcjI=', `Basic ${MASK}`],
    ['a FlyV1 token', 'FlyV1 fm2_lJPECAAAAAAAAMqd', `FlyV1 ${MASK}`],
    ['a Fly token alone', 'token fo1_abcdef0123456789 leaked', `token ${MASK} leaked`],
    ['token=', 'https://x.example/?access_token=abc123&x=1', `https://x.example/?access_token=${MASK}&x=1`],
    ['KEY=value', 'FLY_API_TOKEN=supersecret', `FLY_API_TOKEN=${MASK}`],
    ['password: value', 'db password: hunter2', `db password: ${MASK}`],
    ['"key":"value" in JSON text', '{"api_key":"k-123","reason":"x"}', `{"api_key":"${MASK}","reason":"x"}`],
  ])('masks %s', (_what, text, masked) => expect(maskText(text, secrets)).toBe(masked));

  it.each(['Basic checks failed', 'rolled back: bearer of bad news', 'bad release v42', ''])('leaves %j alone', (text) => expect(maskText(text, secrets)).toBe(text));

  it('is idempotent', () => {
    const once = maskText('Bearer abcdefgh12345678 and token=xyz and fo1_abcdef0123', secrets);
    expect(maskText(once, secrets)).toBe(once);
  });
});

describe('boundedCopy and auditParams', () => {
  it('masks values under token-like keys whatever they hold, at any depth', () => {
    const { copy, cut } = boundedCopy({ token: 'a', nested: { my_token: { x: 1 }, Password: 2, authorization: 'b', apiKey: 'c', reason: 'kept' } });
    expect(copy).toEqual({ token: MASK, nested: { my_token: MASK, Password: MASK, authorization: MASK, apiKey: MASK, reason: 'kept' } });
    expect(cut).toBe(false);
  });

  it('cuts a body nested 100,000 deep without overflowing the stack, and says so', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const params = auditParams({ path: { name: 'api' }, body: { reason: deep } });
    expect(params).toMatchObject({ path: { name: 'api' }, truncated: true });
    expect(JSON.stringify(params)).toContain('[nested too deep]');
  });

  it('cuts a wide body and a long one to a preview within the limit', () => {
    const wide = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    expect(auditParams({ body: wide })).toMatchObject({ truncated: true });
    const long = auditParams({ body: { reason: 'y'.repeat(400), extra: 'z'.repeat(3000) } });
    expect(long).toMatchObject({ truncated: true, preview: expect.any(String) });
    expect((long?.preview as string).length).toBe(PARAMS_LIMIT);
  });

  it('keeps path, query and body, and nothing when all are empty', () => {
    expect(auditParams({ path: { name: 'api' }, query: { limit: '5' }, body: { version: 1 } })).toEqual({ path: { name: 'api' }, query: { limit: '5' }, body: { version: 1 } });
    expect(auditParams({ path: {}, query: {}, body: null })).toBeUndefined();
  });
});

describe('cleanEntry', () => {
  it('masks every string of an entry stored before masking existed', () => {
    const secrets = new SecretRegistry();
    secrets.add('operator-token-0123456789');
    const entry = cleanEntry(
      {
        at: 1,
        actor: 'ops',
        role: 'operator',
        action: 'pause',
        target: 'operator-token-0123456789',
        params: { truncated: true, preview: '{"body":{"reason":"Bearer operator-token-0123456789","token":"abc"' },
        status: 400,
        result: 'WD_ERR_BAD_REQUEST: body: Unrecognized key: "token" (operator-token-0123456789)',
      },
      secrets,
    );
    expect(JSON.stringify(entry)).not.toContain('operator-token-0123456789');
    expect(JSON.stringify(entry)).not.toContain('"abc');
  });
});
