// The target's header facts and, while a rollback is held, the banner that asks for a decision.
import { $, duration, el, fill, pausedBadge, phaseBadge, shortImage } from '../lib/dom.js';

const fact = (label, ...value) => el('span', { className: 'fact' }, `${label} `, ...value);
const ref = (r) => (r ? el('b', { text: `v${r.version}`, attrs: { title: r.imageRef } }) : el('b', { text: 'none' }));

export function renderSummary(d) {
  const since = el('b', { dataset: { since: d.since }, text: duration(Date.now() - Date.parse(d.since)) });
  fill(
    $('#summary'),
    el('h1', { text: d.name }),
    phaseBadge(d.phase),
    d.paused && pausedBadge(),
    fact('environment', el('b', { text: d.environment })),
    fact('mode', el('b', { text: d.mode })),
    fact('in state for', since),
    fact('running', ref(d.current), d.current && el('span', { className: 'mono', text: ` ${shortImage(d.current.imageRef)}` })),
    fact('last known good', ref(d.lastKnownGood)),
    d.guard && fact('guard window ends', el('b', { text: new Date(d.guard.endsAt).toLocaleTimeString([], { hour12: false }) })),
    d.rollbackProgress && fact('rollback', el('b', { text: rollbackText(d.rollbackProgress) })),
    d.reason && el('p', { className: 'muted', text: d.reason }),
  );
  const hold = $('#hold');
  hold.hidden = d.phase !== 'held';
  if (d.phase === 'held') {
    const plan = d.plan?.to ? `The watchdog wants to roll v${d.plan.from} back to the image of v${d.plan.to} and is waiting for a human.` : `v${d.plan?.from ?? '?'} failed, and there is no known-good release to go back to.`;
    fill(hold, el('p', { text: `HELD (${d.hold?.kind ?? 'hold'}): ${plan}` }), el('p', { text: d.hold?.reason ?? '' }));
  }
}

function rollbackText(rb) {
  const parts = [`v${rb.from.version} → image of v${rb.to.version}`, `attempt ${rb.attempts}`];
  if (rb.rollbackVersion !== undefined) parts.push(`deployed as v${rb.rollbackVersion}`);
  if (rb.lastError) parts.push(`last error: ${rb.lastError}`);
  return parts.join(', ');
}
