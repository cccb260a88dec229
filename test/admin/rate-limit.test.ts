import { afterEach, describe, expect, it } from 'vitest';
import { TOKENS, bearer, harness, OPERATOR, VIEWER, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.close());

const SECOND_OPERATOR = 'second-operator-token-0123';

describe('rate limit on acting routes', () => {
  it('answers 429 WD_ERR_RATE_LIMITED past the budget, per token, and leaves reads alone', async () => {
    h = await harness({ rateLimit: { max: 3, windowMs: 60_000 }, tokens: [...TOKENS, { name: 'oncall', role: 'operator', token: SECOND_OPERATOR }] });
    const pause = (token: string) => h.app.inject({ method: 'POST', url: '/api/v1/pause', headers: bearer(token) });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await pause(OPERATOR)).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await pause(OPERATOR);
    expect(limited.json()).toMatchObject({ statusCode: 429, code: 'WD_ERR_RATE_LIMITED' });
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await pause(SECOND_OPERATOR)).statusCode).toBe(200);
    expect((await h.app.inject({ url: '/api/v1/status', headers: bearer(VIEWER) })).statusCode).toBe(200);
  });

  it('limits requests without a valid token by client address, before auth', async () => {
    h = await harness({ rateLimit: { max: 2, windowMs: 60_000 } });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await h.app.inject({ method: 'POST', url: '/api/v1/pause', headers: bearer('guess-0123456789abcdef') })).statusCode);
    expect(codes).toEqual([401, 401, 429]);
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/pause', headers: bearer(OPERATOR) })).statusCode).toBe(200);
  });
});
