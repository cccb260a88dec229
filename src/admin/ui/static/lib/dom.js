// DOM building and formatting shared by the pages. Every piece of data reaches the page through
// el() below, which only ever sets textContent and a short list of attributes: nothing from the API
// is parsed as markup, so a release description or a log line cannot inject anything.

const ATTRIBUTES = new Set(['title', 'type', 'role', 'download', 'datetime', 'value', 'for', 'colspan']);

/**
 * Creates an element. `props`: className, text, href (same-origin paths and blob: only), hidden,
 * disabled, dataset ({key: value}), attrs ({name: value} for the names above and aria-*), on ({event: fn}).
 * Children: nodes, strings (as text), or null/undefined/false (skipped).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined && props.text !== null) node.textContent = String(props.text);
  if (props.href !== undefined) node.setAttribute('href', safeHref(props.href));
  if (props.hidden) node.hidden = true;
  if (props.disabled) node.disabled = true;
  for (const [key, value] of Object.entries(props.dataset ?? {})) if (value !== undefined) node.dataset[key] = String(value);
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === null) continue;
    if (!ATTRIBUTES.has(name) && !name.startsWith('aria-')) throw new Error(`el(): attribute ${name} is not allowed`);
    node.setAttribute(name, String(value));
  }
  for (const [event, handler] of Object.entries(props.on ?? {})) node.addEventListener(event, handler);
  append(node, ...children);
  return node;
}

export function append(node, ...children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replaces a node's children. */
export function fill(node, ...children) {
  node.replaceChildren();
  return append(node, ...children);
}

/** Links are built from our own paths; anything else (javascript:, other origins) is refused. */
function safeHref(href) {
  const s = String(href);
  if ((s.startsWith('/') && !s.startsWith('//')) || s.startsWith('blob:')) return s;
  throw new Error('el(): only same-origin paths and blob: URLs may be linked');
}

export const $ = (selector) => document.querySelector(selector);

/** Shows a message in the page's error line (or hides it for null). */
export function showError(message) {
  const line = $('#error');
  if (!line) return;
  line.hidden = message === null;
  line.textContent = message ?? '';
}

/** "3m 05s", "2h 04m", "4d 1h": a duration for humans. */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export const ago = (iso, now = Date.now()) => `${duration(now - Date.parse(iso))} ago`;

/** Local wall-clock time (HH:MM:SS); the full ISO time goes in the title attribute. */
export const clock = (iso) => new Date(iso).toLocaleTimeString([], { hour12: false });

/** 0.0312 → "3.12%". */
export const percent = (x) => `${(x * 100).toFixed(x >= 0.1 ? 1 : 2)}%`;

/** The tail of an image reference, which is what differs between releases. */
export const shortImage = (ref) => (ref ? ref.slice(ref.lastIndexOf('/') + 1) : '');

/** How each phase is shown: a label in words and a tone for its colour. */
const PHASES = {
  idle: ['idle', 'muted'],
  guarding: ['guarding', 'info'],
  stable: ['stable', 'ok'],
  failing: ['failing', 'bad'],
  'rolling-back': ['rolling back', 'bad'],
  verifying: ['verifying', 'warn'],
  'rolled-back': ['rolled back', 'warn'],
  'rollback-failed': ['rollback failed', 'bad'],
  held: ['held', 'held'],
};

export function phaseBadge(phase) {
  const [label, tone] = PHASES[phase] ?? [phase, 'muted'];
  return el('span', { className: `badge ${tone}`, text: label, dataset: { phase } });
}

export const pausedBadge = () => el('span', { className: 'badge paused', text: 'paused', attrs: { title: 'automatic rollbacks are paused' } });

/** Urgency order for lists: what needs a human first. */
const URGENCY = ['held', 'rollback-failed', 'failing', 'rolling-back', 'verifying', 'guarding', 'rolled-back', 'stable', 'idle'];
export const urgency = (phase) => {
  const i = URGENCY.indexOf(phase);
  return i < 0 ? URGENCY.length : i;
};

export const targetPath = (name) => `/targets/${encodeURIComponent(name)}`;
export const incidentPath = (id) => `/incidents/${encodeURIComponent(id)}`;
