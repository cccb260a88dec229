/**
 * node:http and node:https, loaded through require rather than `import`. An ESM import of
 * node:http builds its namespace from every export, and some of them (`WebSocket`, `CloseEvent`,
 * `MessageEvent`) are getters that load Node's bundled undici, fetch and all, which the daemon
 * never runs: its 760 KB source string alone was the largest object in the daemon's heap
 * (measured: node:http alone, +16.8 MB RSS imported, +3.6 MB required; the whole daemon's
 * heap after loading, 0.9 MB less).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const http = require('node:http') as typeof import('node:http');
export const https = require('node:https') as typeof import('node:https');
