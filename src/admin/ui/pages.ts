/**
 * The four status pages as static skeletons: headings and empty containers, rendered once at start.
 * Element ids here are the contract with the scripts in static/pages/ and static/target/.
 */
import { renderShell, type Shell } from './layout.ts';

const overview: Shell = {
  title: 'Overview',
  script: 'overview',
  main: `<section id="global" class="banner paused" hidden></section>
<section id="held" class="held-list" aria-label="Held rollbacks" hidden></section>
<h1>Targets</h1>
<p id="error" class="error" role="alert" hidden></p>
<table class="grid targets">
  <thead><tr><th>Target</th><th>Environment</th><th>State</th><th>Running release</th><th>Last known good</th><th>In state for</th></tr></thead>
  <tbody id="targets"></tbody>
</table>
<p id="empty" class="muted" hidden>No targets configured.</p>`,
};

const target: Shell = {
  title: 'Target',
  script: 'target',
  chart: true,
  main: `<p class="crumbs"><a href="/">Overview</a> / <span id="crumb"></span></p>
<p id="error" class="error" role="alert" hidden></p>
<section id="summary" class="summary" aria-live="polite"></section>
<section id="hold" class="banner held" hidden></section>
<section id="actions" class="panel actions">
  <h2>Actions</h2>
  <p id="actions-note" class="note" hidden></p>
  <div class="buttons">
    <button type="button" data-action="approve" class="danger" disabled>Approve rollback</button>
    <button type="button" data-action="veto" disabled>Veto rollback</button>
    <button type="button" data-action="pause" disabled>Pause automatic rollbacks</button>
    <button type="button" data-action="resume" disabled>Resume automatic rollbacks</button>
  </div>
  <p id="action-result" role="status"></p>
</section>
<section class="panel">
  <h2>Guard timeline</h2>
  <ol id="stages" class="stages"></ol>
</section>
<div class="columns">
  <section class="panel">
    <h2>Decisions</h2>
    <ol id="journal" class="journal"></ol>
  </section>
  <section class="panel">
    <h2 id="chart-title">Error rate</h2>
    <div id="chart" class="chart"></div>
    <p id="chart-empty" class="muted">No error-rate readings for a guarded release yet (they appear while a release is guarded, if the target has an errorRate source).</p>
  </section>
</div>
<section class="panel">
  <h2>Probe results</h2>
  <div id="probes" class="probes"></div>
  <p id="probes-empty" class="muted">No probe results yet (probes run while a release is guarded or a rollback verified).</p>
</section>
<section class="panel">
  <h2>Releases</h2>
  <table class="grid releases">
    <thead><tr><th>Release</th><th>Image</th><th>Status</th><th>Verdict</th><th>Deployed</th><th>Actions</th></tr></thead>
    <tbody id="releases"></tbody>
  </table>
</section>`,
};

const incidents: Shell = {
  title: 'Incidents',
  script: 'incidents',
  main: `<h1>Incidents</h1>
<p id="error" class="error" role="alert" hidden></p>
<table class="grid incidents">
  <thead><tr><th>Incident</th><th>Target</th><th>Status</th><th>Outcome</th><th>Opened</th><th>Impact</th><th>Reason</th></tr></thead>
  <tbody id="incidents"></tbody>
</table>
<p id="empty" class="muted" hidden>No incidents recorded.</p>`,
};

const incident: Shell = {
  title: 'Incident',
  script: 'incident',
  main: `<p class="crumbs"><a href="/incidents">Incidents</a> / <span id="crumb"></span></p>
<p id="error" class="error" role="alert" hidden></p>
<section id="incident-summary" class="summary"></section>
<div class="columns">
  <section class="panel">
    <h2>Timeline</h2>
    <ol id="incident-timeline" class="journal"></ol>
  </section>
  <section class="panel">
    <h2>Evidence</h2>
    <div id="evidence" class="evidence"></div>
  </section>
</div>
<section class="panel">
  <h2>Post-mortem draft</h2>
  <p class="muted">Markdown: <a id="postmortem-download" download hidden>download</a> · <code id="postmortem-api"></code></p>
  <article id="postmortem" class="markdown"></article>
</section>`,
};

/** Rendered once: the shells are constant, so each request sends the same bytes. */
export const PAGES = {
  overview: renderShell('overview', overview),
  target: renderShell('target', target),
  incidents: renderShell('incidents', incidents),
  incident: renderShell('incident', incident),
} as const;
