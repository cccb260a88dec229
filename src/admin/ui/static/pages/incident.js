// One incident: what failed, its timeline and evidence (with the `fly logs` excerpt), and the
// post-mortem draft rendered from the same Markdown the API serves, which can be downloaded.
import { api, seg } from '../lib/api.js';
import { $, clock, duration, el, fill, showError, targetPath } from '../lib/dom.js';
import { parseMarkdown, renderMarkdown } from '../lib/markdown.js';
import { coalesce, startLive, startSession } from '../lib/session.js';
import { tone } from '../target/episode.js';

const id = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const base = `/api/v1/incidents/${seg(id)}`;
document.title = `${id} · rollback-watchdog`;
$('#crumb').textContent = id;
$('#postmortem-api').textContent = `GET ${base}/postmortem`;

const iso = (at) => new Date(at).toISOString();
let downloadUrl;

function renderSummary(i) {
  const fact = (label, value) => el('span', { className: 'fact' }, `${label} `, el('b', { text: value }));
  fill(
    $('#incident-summary'),
    el('h1', { text: `${i.target} v${i.version}` }),
    el('span', { className: `badge ${i.status === 'open' ? 'bad' : 'muted'}`, text: i.status }),
    fact('outcome', i.outcome ?? 'still open'),
    fact('impact', `${duration(i.impactMs)}${i.postmortemRequired ? ' (post-mortem required)' : ''}`),
    fact('environment', i.environment),
    el('span', { className: 'fact' }, 'target ', el('a', { href: targetPath(i.target), text: i.target })),
    el('p', { className: 'mono', text: i.imageRef }),
    el('p', { text: i.reason }),
  );
}

function renderTimeline(entries) {
  fill(
    $('#incident-timeline'),
    ...entries.map((e) =>
      el(
        'li',
        { dataset: { kind: e.kind, tone: tone(e.kind) } },
        el('time', { text: clock(iso(e.at)), attrs: { datetime: iso(e.at), title: iso(e.at) } }),
        el('span', {}, el('span', { className: 'kind', text: e.kind }), el('span', { text: e.message })),
      ),
    ),
  );
}

const EVIDENCE_TITLES = { measurements: 'Failing measurements', 'smoke-output': 'Smoke test output', 'fly-logs': 'fly logs (last lines)', note: 'Note' };

function renderEvidence(evidence) {
  if (evidence.length === 0) return fill($('#evidence'), el('p', { className: 'muted', text: 'No evidence was captured.' }));
  fill(
    $('#evidence'),
    ...evidence.map((ev) => {
      const title = `${EVIDENCE_TITLES[ev.kind] ?? ev.kind}${ev.check ? ` (${ev.check})` : ''} · ${clock(iso(ev.at))}`;
      const body = ev.lines ? ev.lines.join('\n') || '(no lines returned)' : (ev.text ?? '');
      return el('section', { dataset: { evidence: ev.kind } }, el('h3', { text: title }), ev.kind === 'note' ? el('p', { text: body }) : el('pre', { text: body }));
    }),
  );
}

function renderPostmortem(markdown) {
  fill($('#postmortem'), ...renderMarkdown(parseMarkdown(markdown), el));
  // A link to the API route would not carry the bearer header, so the download is the same text as a blob.
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = URL.createObjectURL(new Blob([markdown], { type: 'text/markdown' }));
  const link = $('#postmortem-download');
  link.setAttribute('href', downloadUrl);
  link.setAttribute('download', `${id}-postmortem.md`);
  link.hidden = false;
}

const load = coalesce(async () => {
  const [incident, markdown] = await Promise.all([api(base), api(`${base}/postmortem`, { as: 'text' })]);
  renderSummary(incident);
  renderTimeline(incident.timeline);
  renderEvidence(incident.evidence);
  renderPostmortem(markdown);
  showError(null);
});
const report = (err) => showError(err.status === 404 ? `No incident ${id}.` : `Could not load: ${err.message}`);

await startSession();
await load().catch(report);
startLive({
  decision: (event) => event.data.incidentId === id && void load().catch(report),
  reset: () => void load().catch(report),
  reconnected: () => void load().catch(report),
});
