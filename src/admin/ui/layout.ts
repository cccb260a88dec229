/**
 * The HTML frame every status page shares: header, log-in form, confirm dialog. It is a public shell:
 * it holds no target data and no token, and nothing from the request is ever written into it (the
 * page's script reads the URL itself and fetches the JSON API with the token from session storage).
 * So there is nothing here to escape, and the same bytes can be served to anyone.
 */
import { createHash } from 'node:crypto';

export interface Shell {
  /** The page's `<title>`, a constant. */
  title: string;
  /** The module under /ui/static/pages/ that runs the page. */
  script: string;
  /** Static skeleton of the page's main area: containers the script fills. */
  main: string;
  /** Loads uPlot (script and stylesheet) before the page's module. */
  chart?: boolean;
}

export const STATIC_PREFIX = '/ui/static/';
export const UPLOT_PREFIX = '/ui/vendor/uplot/';
export const SSE_PARSER_PREFIX = '/ui/vendor/eventsource-parser/';

/**
 * Lets the page's modules import packages by name, as they do under Node in the tests. An inline
 * script, allowed by its hash in the CSP (ui-routes.ts), so no other inline script can run.
 */
export const IMPORT_MAP = JSON.stringify({ imports: { 'eventsource-parser': `${SSE_PARSER_PREFIX}index.js` } });
export const IMPORT_MAP_HASH = `sha256-${createHash('sha256').update(IMPORT_MAP).digest('base64')}`;

export function renderShell(page: string, shell: Shell): string {
  // `defer` keeps uPlot ahead of the page module: deferred classic and module scripts run in document order.
  const chart = shell.chart
    ? `<link rel="stylesheet" href="${UPLOT_PREFIX}uPlot.min.css">\n<script defer src="${UPLOT_PREFIX}uPlot.iife.min.js"></script>\n`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark light">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${shell.title} · rollback-watchdog</title>
${chart}<link rel="stylesheet" href="${STATIC_PREFIX}app.css">
<script type="importmap">${IMPORT_MAP}</script>
<script type="module" src="${STATIC_PREFIX}pages/${shell.script}.js"></script>
</head>
<body data-page="${page}">
<header class="bar">
  <a class="brand" href="/">rollback-watchdog</a>
  <nav><a href="/">Overview</a><a href="/incidents">Incidents</a></nav>
  <span id="live" class="live" data-state="offline" role="status" aria-live="polite">offline</span>
  <span id="who" class="who"></span>
  <button id="sign-out" type="button" class="quiet" hidden>Sign out</button>
</header>
<section id="login" class="login" hidden>
  <!-- The input has no name: a form submitted without this page's script can never put it in a URL. -->
  <form id="login-form" autocomplete="off">
    <h1>Sign in</h1>
    <p>Paste an admin token (viewer or operator). It stays in this tab's session storage and is sent only as a bearer header.</p>
    <label for="login-token">Token</label>
    <input id="login-token" type="password" autocomplete="off" spellcheck="false" required>
    <p id="login-error" class="error" role="alert" hidden></p>
    <button type="submit">Sign in</button>
  </form>
</section>
<main id="main" hidden>
${shell.main}
</main>
<dialog id="confirm" aria-labelledby="confirm-title">
  <form method="dialog">
    <h2 id="confirm-title"></h2>
    <div id="confirm-body"></div>
    <label for="confirm-reason">Reason (optional, kept in the audit trail)</label>
    <input id="confirm-reason" maxlength="500" autocomplete="off">
    <menu>
      <button id="confirm-cancel" value="cancel" class="quiet">Cancel</button>
      <button id="confirm-ok" value="ok" class="danger">Confirm</button>
    </menu>
  </form>
</dialog>
<noscript><p class="error">This page needs JavaScript: it reads the admin API with your token from session storage.</p></noscript>
</body>
</html>
`;
}
