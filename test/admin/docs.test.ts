import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.close());

describe('OpenAPI docs', () => {
  it('documents the API from the zod schemas, with bearer auth and error bodies', async () => {
    h = await harness();
    const res = await h.app.inject('/docs/json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const rollback = doc.paths['/api/v1/targets/{name}/rollback'].post;
    expect(Object.keys(rollback.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '403', '404', '409', '429']));
    expect(JSON.stringify(rollback.requestBody)).toContain('"force"');
    expect(doc.paths['/api/v1/gate'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['target', 'image', 'strict']);
    expect(doc.paths['/healthz']).toBeUndefined(); // hidden: not part of the operators' API
  });

  it('serves Swagger UI at /docs without a token', async () => {
    h = await harness();
    const res = await h.app.inject('/docs/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });
});
