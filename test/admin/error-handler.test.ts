import { afterEach, describe, expect, it } from 'vitest';
import { bearer, harness, OPERATOR, VIEWER, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.close());

const json = { ...bearer(OPERATOR), 'content-type': 'application/json' };

describe('every refusal is JSON with one of our codes', () => {
  it.each([
    ['unknown route', 404, 'WD_ERR_NOT_FOUND', { method: 'GET', url: '/api/v1/nope', headers: bearer(VIEWER) }],
    ['wrong method', 404, 'WD_ERR_NOT_FOUND', { method: 'DELETE', url: '/api/v1/status', headers: bearer(VIEWER) }],
    ['undecodable path', 400, 'WD_ERR_BAD_REQUEST', { method: 'GET', url: '/api/v1/targets/%E0%A4%A', headers: bearer(VIEWER) }],
    ['broken JSON', 400, 'WD_ERR_BAD_REQUEST', { method: 'POST', url: '/api/v1/pause', headers: json, payload: '{"reason":' }],
    ['empty JSON body', 400, 'WD_ERR_BAD_REQUEST', { method: 'POST', url: '/api/v1/pause', headers: json, payload: '' }],
    ['JSON that is not an object', 400, 'WD_ERR_BAD_REQUEST', { method: 'POST', url: '/api/v1/pause', headers: json, payload: '[1]' }],
    ['prototype pollution', 400, 'WD_ERR_BAD_REQUEST', { method: 'POST', url: '/api/v1/pause', headers: json, payload: '{"__proto__":{"x":1}}' }],
    ['constructor pollution', 400, 'WD_ERR_BAD_REQUEST', { method: 'POST', url: '/api/v1/pause', headers: json, payload: '{"constructor":{"prototype":{"x":1}}}' }],
    ['body over the limit', 413, 'WD_ERR_BODY_TOO_LARGE', { method: 'POST', url: '/api/v1/pause', headers: json, payload: `{"reason":"${'x'.repeat(70_000)}"}` }],
    ['unknown content type', 415, 'WD_ERR_UNSUPPORTED_MEDIA_TYPE', { method: 'POST', url: '/api/v1/pause', headers: { ...bearer(OPERATOR), 'content-type': 'application/xml' }, payload: '<a/>' }],
    ['text body', 400, 'WD_ERR_BAD_REQUEST', { method: 'POST', url: '/api/v1/pause', headers: { ...bearer(OPERATOR), 'content-type': 'text/plain' }, payload: 'pause' }],
  ] as const)('%s → %i %s', async (_label, status, code, request) => {
    h = await harness();
    const res = await h.app.inject(request);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({ statusCode: status, code, error: expect.any(String), message: expect.any(String) });
  });

  it('echoes at most 200 characters of an untrusted URL', async () => {
    h = await harness();
    const res = await h.app.inject({ url: `/api/v1/${'a'.repeat(5000)}`, headers: bearer(VIEWER) });
    expect(res.json().message.length).toBeLessThan(220);
  });
});
