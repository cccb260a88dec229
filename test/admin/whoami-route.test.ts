import { afterEach, describe, expect, it } from 'vitest';
import { bearer, harness, OPERATOR, VIEWER, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('GET /api/v1/whoami', () => {
  it.each([
    ['a viewer token', VIEWER, { name: 'grafana', role: 'viewer' }],
    ['an operator token', OPERATOR, { name: 'ops', role: 'operator' }],
  ])('with %s: its name and role', async (_label, token, expected) => {
    h = await harness();
    const res = await h.app.inject({ url: '/api/v1/whoami', headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(expected);
  });

  it('without a valid token: 401 with the usual error body', async () => {
    h = await harness();
    const res = await h.app.inject({ url: '/api/v1/whoami', headers: bearer('nope-nope-nope-nope') });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'WD_ERR_UNAUTHORIZED' });
  });

  it('with no tokens configured (loopback only): the local operator', async () => {
    h = await harness({ tokens: [] });
    expect((await h.app.inject('/api/v1/whoami')).json()).toEqual({ name: 'local', role: 'operator' });
  });
});
