// Incidents, newest first: one per failed release, with how it ended and how long users were hurt.
import { api } from '../lib/api.js';
import { $, clock, duration, el, fill, incidentPath, showError, targetPath } from '../lib/dom.js';
import { coalesce, startLive, startSession } from '../lib/session.js';

const OUTCOME_TONES = { 'rolled-back': 'ok', 'rollback-failed': 'bad', held: 'held', vetoed: 'warn', superseded: 'muted' };

const iso = (ms) => new Date(ms).toISOString();

function row(i) {
  const opened = iso(i.openedAt);
  return el(
    'tr',
    { dataset: { incident: i.id, status: i.status } },
    el('td', { dataset: { label: 'Incident' } }, el('a', { href: incidentPath(i.id), text: i.id })),
    el('td', { dataset: { label: 'Target' } }, el('a', { href: targetPath(i.target), text: i.target }), el('span', { className: 'sub', text: `v${i.version} · ${i.environment}` })),
    el('td', { dataset: { label: 'Status' } }, el('span', { className: `badge ${i.status === 'open' ? 'bad' : 'muted'}`, text: i.status })),
    el('td', { dataset: { label: 'Outcome' } }, i.outcome ? el('span', { className: `badge ${OUTCOME_TONES[i.outcome] ?? 'muted'}`, text: i.outcome }) : '–'),
    el('td', { dataset: { label: 'Opened' }, text: `${new Date(opened).toLocaleDateString()} ${clock(opened)}`, attrs: { title: opened } }),
    el('td', { dataset: { label: 'Impact' } }, duration(i.impactMs), i.postmortemRequired && el('span', { className: 'sub', text: 'post-mortem required' })),
    el('td', { dataset: { label: 'Reason' }, text: i.reason }),
  );
}

const load = coalesce(async () => {
  const { incidents } = await api('/api/v1/incidents?limit=200');
  fill($('#incidents'), ...incidents.map(row));
  $('#empty').hidden = incidents.length > 0;
  showError(null);
});
const report = (err) => showError(`Could not load incidents: ${err.message}`);

await startSession();
await load().catch(report);
startLive({
  // A decision inside an incident changes its status, outcome or impact.
  decision: (event) => event.data.incidentId && void load().catch(report),
  reset: () => void load().catch(report),
  reconnected: () => void load().catch(report),
});
