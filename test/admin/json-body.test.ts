import { afterEach, describe, expect, it } from 'vitest';
import { oddVersionSpelling } from '../../src/admin/json-body.ts';
import { bearer, harness, OPERATOR, type Harness } from './harness.ts';

describe('oddVersionSpelling', () => {
  it.each([
    ['{"version":42}', undefined],
    ['{"version":2147483647}', undefined],
    ['{"version":"0x1"}', undefined], // a string: the schema refuses it, not the parser
    ['{"reason":"version 1e3"}', undefined],
    ['{"version":1e3}', '1e3'],
    ['{"version":1.0}', '1.0'],
    ['{"version":-1}', '-1'],
    ['{"version":0}', '0'],
    ['{"a":{"version":4E1}}', '4E1'],
  ])('%s → %s', (text, odd) => expect(oddVersionSpelling(text)).toBe(odd));
});

describe('the JSON body parser', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('keeps Fastify\'s refusals: prototype poisoning, empty and broken bodies', async () => {
    h = await harness();
    const post = (payload: string) => h!.app.inject({ method: 'POST', url: '/api/v1/pause', headers: { ...bearer(OPERATOR), 'content-type': 'application/json' }, payload });
    for (const payload of ['{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '{"a":', '']) {
      const res = await post(payload);
      expect(res.statusCode, payload).toBe(400);
      expect(res.json().code).toBe('WD_ERR_BAD_REQUEST');
    }
    expect((await post('{"reason":"ok"}')).statusCode).toBe(200);
  });
});
