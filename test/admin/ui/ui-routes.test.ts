/**
 * The status page's server side with `inject`: public HTML shells that echo nothing from the request,
 * their security headers, the assets they reference, and nothing else from node_modules.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATIC_ROOT } from '../../../src/admin/ui/ui-routes.ts';
import { harness, OPERATOR, VIEWER, type Harness } from '../harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const PAGES = ['/', '/targets/api', '/incidents', '/incidents/api-v2-20261125T140000Z'];

describe('the HTML shells', () => {
  it.each(PAGES)('%s: public HTML with a strict CSP, never cached', async (url) => {
    const res = await h.app.inject(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    // The one inline script is the import map, allowed by its own hash and nothing else.
    const importMap = /<script type="importmap">([^<]*)<\/script>/.exec(res.body)?.[1] ?? '';
    const hash = `sha256-${createHash('sha256').update(importMap).digest('base64')}`;
    expect(res.headers['content-security-policy']).toMatch(new RegExp(`^default-src 'none'; script-src 'self' '${hash.replace(/[+/]/g, '\\$&')}'; style-src 'self'`));
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.body.replace(/<script type="importmap">[^<]*<\/script>/, '')).not.toMatch(/<script(?: type="importmap")?>|\son\w+=|style="/); // no other inline script, handler or style
    for (const token of [OPERATOR, VIEWER]) expect(res.body).not.toContain(token);
  });

  it('echo nothing from the request: every target page is the same bytes, whatever the name', async () => {
    const a = await h.app.inject('/targets/api');
    const b = await h.app.inject('/targets/zz-not-a-target');
    expect(b.body).toBe(a.body);
    expect(b.body).not.toContain('zz-not-a-target');
    const incident = await h.app.inject('/incidents/someone-else');
    expect(incident.body).not.toContain('someone-else');
  });

  it('refuse a path that is not a target name or incident id (400, as the API does)', async () => {
    expect((await h.app.inject('/targets/%3Cscript%3E')).statusCode).toBe(400);
    expect((await h.app.inject('/incidents/a.b')).statusCode).toBe(400);
  });

  it('keep the password input nameless, so a form sent without the script cannot carry the token', async () => {
    const { body } = await h.app.inject('/');
    expect(body).toMatch(/<input id="login-token" type="password"[^>]*>/);
    expect(body.match(/<input id="login-token"[^>]*>/)![0]).not.toContain('name=');
  });

  it('stay out of the OpenAPI document, which lists /api/v1/whoami', async () => {
    const { paths } = (await h.app.inject('/docs/json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(paths)).toContain('/api/v1/whoami');
    expect(Object.keys(paths).filter((p) => !p.startsWith('/api/') && !['/healthz', '/readyz', '/metrics'].includes(p))).toEqual([]);
  });
});

describe('the assets', () => {
  it.each(PAGES)('%s: every script and stylesheet it references is served', async (url) => {
    const { body } = await h.app.inject(url);
    const refs = [...body.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(2);
    for (const ref of refs) {
      const res = await h.app.inject(ref);
      expect(res.statusCode, ref).toBe(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('every relative import between the page modules resolves to a file that is served', async () => {
    const files = (readdirSync(STATIC_ROOT, { recursive: true }) as string[]).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const source = readFileSync(join(STATIC_ROOT, file), 'utf8');
      for (const [, spec] of source.matchAll(/^import .* from '(\.[^']+)';$/gm)) {
        const target = relative(STATIC_ROOT, resolve(dirname(join(STATIC_ROOT, file)), spec!));
        const res = await h.app.inject(`/ui/static/${target}`);
        expect(res.statusCode, `${file} imports ${spec}`).toBe(200);
        expect(res.headers['content-type']).toMatch(/^(application|text)\/javascript/);
      }
    }
  });

  it('serves the event-stream parser the import map names, and nothing else of its package', async () => {
    const { body } = await h.app.inject('/');
    const mapped = JSON.parse(/<script type="importmap">([^<]*)<\/script>/.exec(body)![1]!) as { imports: Record<string, string> };
    const res = await h.app.inject(mapped.imports['eventsource-parser']!);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^(application|text)\/javascript/);
    expect(res.body).toContain('createParser');
    for (const url of ['/ui/vendor/eventsource-parser/index.cjs', '/ui/vendor/eventsource-parser/../package.json']) {
      expect((await h.app.inject(url)).statusCode, url).toBe(404);
    }
  });

  it('serves uPlot from node_modules, and nothing else of the package', async () => {
    expect((await h.app.inject('/ui/vendor/uplot/uPlot.iife.min.js')).statusCode).toBe(200);
    expect((await h.app.inject('/ui/vendor/uplot/uPlot.min.css')).headers['content-type']).toMatch(/^text\/css/);
    for (const url of ['/ui/vendor/uplot/uPlot.esm.js', '/ui/vendor/uplot/uPlot.d.ts', '/ui/vendor/uplot/../package.json', '/ui/vendor/uplot/%2e%2e/package.json']) {
      expect((await h.app.inject(url)).statusCode, url).toBe(404);
    }
  });

  it('refuses to walk out of the static root', async () => {
    for (const url of ['/ui/static/../ui-routes.ts', '/ui/static/%2e%2e/ui-routes.ts', '/ui/static/..%2fui-routes.ts']) {
      const res = await h.app.inject(url);
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.body).not.toContain('fastifyStatic');
    }
  });
});
