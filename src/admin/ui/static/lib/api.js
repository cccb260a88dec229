// The admin API from the browser. The token lives in this tab's sessionStorage (gone when the tab
// closes) and travels only in the Authorization header: never in a URL, a cookie or a log line.

const KEY = 'rollback-watchdog.token';

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

/** The API refused: `code` is its stable WD_ERR_* code, `message` says why in words. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized = () => {};
/** What to do when the token stops being accepted (the session module shows the log-in form). */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

export function authHeaders() {
  const t = token.get();
  return t ? { authorization: `Bearer ${t}` } : {};
}

/**
 * Calls `path` (e.g. /api/v1/status) and resolves with the parsed JSON, or the text when
 * `as: 'text'`. Rejects with ApiError on any 4xx/5xx; a 401 also calls the unauthorized handler.
 */
export async function api(path, { method = 'GET', body, as = 'json' } = {}) {
  const headers = { accept: as === 'json' ? 'application/json' : 'text/markdown, text/plain', ...authHeaders() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
    cache: 'no-store',
    credentials: 'omit',
  });
  const text = await res.text();
  if (!res.ok) {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not our JSON error body (a proxy's page, say): fall back to the status line.
    }
    if (res.status === 401) onUnauthorized();
    throw new ApiError(res.status, parsed?.code ?? `HTTP_${res.status}`, parsed?.message ?? `${res.status} ${res.statusText}`);
  }
  return as === 'json' ? JSON.parse(text) : text;
}

export const seg = encodeURIComponent;
