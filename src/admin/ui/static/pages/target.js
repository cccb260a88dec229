// One target: summary, actions, the guard timeline, the error-rate chart, probe results and the
// release list. Loaded from the API once, then kept current by the event feed without reloading.
import { api, seg } from '../lib/api.js';
import { $, duration, showError } from '../lib/dom.js';
import { coalesce, startLive, startSession } from '../lib/session.js';
import { Actions } from '../target/actions.js';
import { RateChart } from '../target/chart.js';
import { episodeVersion, moments } from '../target/episode.js';
import { ProbeStrip } from '../target/probes.js';
import { renderReleases } from '../target/releases.js';
import { renderSummary } from '../target/summary.js';
import { Timeline } from '../target/timeline.js';

const MAX_RATES = 2000;
// The name comes from the URL, and only ever reaches the page as text (never as markup).
const name = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const base = `/api/v1/targets/${seg(name)}`;
document.title = `${name} · rollback-watchdog`;
$('#crumb').textContent = name;

const timeline = new Timeline();
const chart = new RateChart($('#chart'));
const probes = new ProbeStrip();
let detail;
let rates = [];

// The chart as drawn, for the browser tests (and anyone checking the numbers from devtools).
window.statusPage = {
  get chart() {
    return chart.plot;
  },
};

const report = (err) => showError(err.status === 404 ? `No target named ${name}.` : `Could not load: ${err.message}`);
/** Measurement events carry epoch ms; the series route gives ISO times. The page keeps ISO. */
const iso = (at) => (typeof at === 'number' ? new Date(at).toISOString() : at);

function redrawChart() {
  const episode = timeline.episode;
  chart.set(rates, moments(episode), episodeVersion(episode));
}

let actions;
const loadDetail = coalesce(async () => {
  const [d, list] = await Promise.all([api(base), api(`${base}/releases?limit=30`)]);
  detail = d;
  renderSummary(d);
  actions.update(d);
  renderReleases(list.releases, d.current?.version, (r) => actions.releaseButtons(r));
  timeline.render(d.phase);
  showError(null);
});

/** The chart and the probe strip are extras: when their data cannot be read, the rest still shows. */
const noReadings = $('#chart-empty').textContent;
async function loadSeries() {
  try {
    const series = await api(`${base}/series`);
    rates = series.rates;
    probes.load(series.probes);
    $('#chart-empty').textContent = noReadings;
  } catch (err) {
    if (err.status === 401) throw err;
    rates = [];
    probes.load([]);
    $('#chart-empty').textContent = `The measurements could not be read (${err.code}: ${err.message}); live readings still appear here.`;
  }
}

const loadAll = coalesce(async () => {
  const [journal] = await Promise.all([api(`${base}/journal?limit=200`), loadSeries()]);
  timeline.load(journal.entries);
  await loadDetail();
  redrawChart();
});

const who = await startSession();
actions = new Actions({ role: who.role, refresh: () => loadDetail().catch(report) });
await loadAll().catch(report);

startLive({
  state(event) {
    if (event.target === name) void loadDetail().catch(report);
  },
  decision(event) {
    if (event.target !== name) return;
    const { kind, message, data } = event.data;
    timeline.add({ at: event.at, kind, message, ...(data && { data }) });
    timeline.render(detail?.phase);
    redrawChart();
    void loadDetail().catch(report);
  },
  measurement(event) {
    if (event.target !== name) return;
    const { kind, ...point } = event.data;
    const p = { ...point, at: iso(point.at) };
    if (kind === 'probe') probes.add(p);
    if (kind === 'error-rate') {
      rates.push(p);
      if (rates.length > MAX_RATES) rates = rates.slice(-MAX_RATES);
      chart.add(p);
    }
  },
  // Measurements are never replayed, and a reset means decisions were missed too: reload it all.
  reset: () => void loadAll().catch(report),
  reconnected: () => void loadAll().catch(report),
});

setInterval(() => {
  for (const cell of document.querySelectorAll('[data-since]')) cell.textContent = duration(Date.now() - Date.parse(cell.dataset.since));
}, 1000);
