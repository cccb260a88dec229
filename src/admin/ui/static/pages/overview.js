// Overview: every target, most urgent first; held rollbacks in a banner above everything.
// Kept current by the event feed (a `state` event carries the target's summary; a decision makes
// us re-read that target), with a slow full refresh as a safety net.
import { api, seg } from '../lib/api.js';
import { $, duration, el, fill, pausedBadge, phaseBadge, shortImage, showError, targetPath, urgency } from '../lib/dom.js';
import { coalesce, startLive, startSession } from '../lib/session.js';

const REFRESH_MS = 30_000;
const targets = new Map(); // name → summary (or detail, a superset)
const lastGood = new Map(); // name → release, or null when there is none yet
const refreshers = new Map(); // name → coalesced detail reload
let global = { paused: false };

const loadAll = coalesce(async () => {
  const status = await api('/api/v1/status');
  global = status.global;
  targets.clear();
  for (const t of status.targets) targets.set(t.name, t);
  render();
  await Promise.all(status.targets.map((t) => refresh(t.name)));
});

function refresh(name) {
  if (!refreshers.has(name)) {
    refreshers.set(name, coalesce(async () => {
      const detail = await api(`/api/v1/targets/${seg(name)}`);
      targets.set(name, detail);
      lastGood.set(name, detail.lastKnownGood ?? null);
      render();
    }));
  }
  return refreshers.get(name)().catch(report);
}

function report(err) {
  showError(`Could not load: ${err.message}`);
}

function note(t) {
  if (t.phase === 'held' && t.hold) return `${t.hold.kind}: ${t.hold.reason}`;
  if (t.phase === 'guarding' && t.guard) return `guarding v${t.guard.version}`;
  if ((t.phase === 'rolling-back' || t.phase === 'verifying') && t.rollback) return `v${t.rollback.from} → image of v${t.rollback.to}`;
  return t.reason ?? '';
}

function release(r) {
  if (!r) return el('span', { className: 'muted', text: 'none yet' });
  return [el('span', { text: `v${r.version}` }), el('span', { className: 'sub mono', text: shortImage(r.imageRef), attrs: { title: r.imageRef } })];
}

function row(t) {
  const since = el('td', { dataset: { since: t.since, label: 'In state for' }, text: duration(Date.now() - Date.parse(t.since)) });
  const lkg = lastGood.has(t.name) ? release(lastGood.get(t.name)) : el('span', { className: 'muted', text: '…' });
  return el(
    'tr',
    { className: t.phase === 'held' ? 'held' : '', dataset: { target: t.name, phase: t.phase } },
    el('td', { dataset: { label: 'Target' } }, el('a', { href: targetPath(t.name), text: t.name }), el('span', { className: 'sub', text: `app ${t.app} · mode ${t.mode}` })),
    el('td', { dataset: { label: 'Environment' }, text: t.environment }),
    el('td', { dataset: { label: 'State' } }, phaseBadge(t.phase), t.paused && ' ', t.paused && pausedBadge(), el('span', { className: 'sub', text: note(t) })),
    el('td', { dataset: { label: 'Running' } }, release(t.current)),
    el('td', { dataset: { label: 'Last known good' } }, lkg),
    since,
  );
}

function heldBanner(t) {
  const plan = t.plan?.to ? `roll back v${t.plan.from} to the image of v${t.plan.to}` : `v${t.plan?.from ?? '?'} has no release to go back to`;
  return el(
    'div',
    { className: 'banner', dataset: { target: t.name }, attrs: { role: 'alert' } },
    el('span', { text: `HELD — ${t.name} (${t.environment}): ${plan}. ${t.hold?.reason ?? ''} ` }),
    el('a', { href: targetPath(t.name), text: 'Review and decide →' }),
  );
}

function render() {
  const list = [...targets.values()].sort((a, b) => urgency(a.phase) - urgency(b.phase) || a.name.localeCompare(b.name));
  const held = list.filter((t) => t.phase === 'held');
  fill($('#held'), ...held.map(heldBanner));
  $('#held').hidden = held.length === 0;
  const g = $('#global');
  g.hidden = !global.paused && !global.mode;
  g.textContent = [
    global.paused && `Automatic rollbacks are paused for every target${global.by ? ` (by ${global.by}${global.reason ? `: ${global.reason}` : ''})` : ''}.`,
    global.mode && `Mode ${global.mode} is set for every target.`,
  ].filter(Boolean).join(' ');
  fill($('#targets'), ...list.map(row));
  $('#empty').hidden = list.length > 0;
}

function tick() {
  for (const cell of document.querySelectorAll('[data-since]')) cell.textContent = duration(Date.now() - Date.parse(cell.dataset.since));
}

await startSession();
await loadAll().catch(report);
startLive({
  state(event) {
    // The event carries the target's summary as GET /targets has it: all the overview shows.
    targets.set(event.target, event.data);
    render();
    void refresh(event.target);
  },
  decision: (event) => void refresh(event.target),
  reset: () => void loadAll().catch(report),
  reconnected: () => void loadAll().catch(report),
});
setInterval(tick, 1000);
setInterval(() => void loadAll().catch(report), REFRESH_MS);
