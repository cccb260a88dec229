/**
 * The status page on the admin server's own port: four HTML shells, their plain-JS/CSS assets, and
 * uPlot's dist files straight from node_modules (no build step, no CDN). Everything here is public
 * and data-free; the data comes from the `/api/v1` routes the page's script calls with a bearer
 * token. GET /api/v1/whoami (which the page needs to know the role) is registered from here.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { TokenAuth } from '../auth.ts';
import { TargetParams } from '../schema.ts';
import { whoamiRoute } from '../whoami-route.ts';
import { IMPORT_MAP_HASH, SSE_PARSER_PREFIX, STATIC_PREFIX, UPLOT_PREFIX } from './layout.ts';
import { PAGES } from './pages.ts';

export interface UiRoutesOptions {
  auth: TokenAuth;
}

export const STATIC_ROOT = fileURLToPath(new URL('./static/', import.meta.url));
// `uplot` resolves to dist/uPlot.cjs.js; its siblings are the browser builds.
export const UPLOT_ROOT = dirname(createRequire(import.meta.url).resolve('uplot'));
const UPLOT_FILES: ReadonlySet<string> = new Set(['/uPlot.iife.min.js', '/uPlot.min.css']);
// `eventsource-parser` resolves to dist/index.js, an ES module with no imports of its own.
export const SSE_PARSER_ROOT = dirname(fileURLToPath(import.meta.resolve('eventsource-parser')));

/**
 * Same-origin only, no inline script or style: even if some data slipped into the DOM as markup it
 * could not run. uPlot styles its elements through the CSSOM (`el.style.x = …`), which this allows.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src 'self' '${IMPORT_MAP_HASH}'`,
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const IncidentParams = z.strictObject({ id: z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/, 'not an incident id') });

/** Assets have no content hash in their names, so browsers revalidate (ETag) rather than cache blindly. */
function assetHeaders(reply: FastifyReply): void {
  reply.header('cache-control', 'no-cache');
  reply.header('x-content-type-options', 'nosniff');
}

function sendPage(reply: FastifyReply, html: string): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .send(html);
}

export const uiRoutes: FastifyPluginAsync<UiRoutesOptions> = async (fastify, { auth }) => {
  await fastify.register(whoamiRoute, { prefix: '/api/v1', auth });

  await fastify.register(fastifyStatic, {
    root: STATIC_ROOT,
    prefix: STATIC_PREFIX,
    index: false,
    list: false,
    dotfiles: 'deny',
    cacheControl: false,
    setHeaders: assetHeaders,
  });
  await fastify.register(fastifyStatic, {
    root: UPLOT_ROOT,
    prefix: UPLOT_PREFIX,
    // The reply decorator already came with the first registration.
    decorateReply: false,
    index: false,
    list: false,
    cacheControl: false,
    setHeaders: assetHeaders,
    // Only the two browser files, not the rest of the package.
    allowedPath: (pathName) => UPLOT_FILES.has(pathName),
  });
  await fastify.register(fastifyStatic, {
    root: SSE_PARSER_ROOT,
    prefix: SSE_PARSER_PREFIX,
    decorateReply: false,
    index: false,
    list: false,
    cacheControl: false,
    setHeaders: assetHeaders,
    allowedPath: (pathName) => pathName === '/index.js',
  });

  const app = fastify.withTypeProvider<ZodTypeProvider>();
  // The shells are hidden from the OpenAPI document: they are for browsers, not API clients.
  const hide = { hide: true } as const;
  app.get('/', { schema: hide }, (_request, reply) => sendPage(reply, PAGES.overview));
  app.get('/targets/:name', { schema: { ...hide, params: TargetParams } }, (_request, reply) => sendPage(reply, PAGES.target));
  app.get('/incidents', { schema: hide }, (_request, reply) => sendPage(reply, PAGES.incidents));
  app.get('/incidents/:id', { schema: { ...hide, params: IncidentParams } }, (_request, reply) => sendPage(reply, PAGES.incident));
};
