// The release list with verdicts, newest first, and the per-release actions.
import { $, ago, el, fill, shortImage } from '../lib/dom.js';

const VERDICT_TONES = { good: 'ok', bad: 'bad', pending: 'info', unknown: 'muted', unproven: 'warn' };

/** `buttons(release)` gives the action buttons of a row (see Actions.releaseButtons). */
export function renderReleases(releases, currentVersion, buttons) {
  fill(
    $('#releases'),
    ...releases.map((r) =>
      el(
        'tr',
        { dataset: { version: r.version, verdict: r.verdict } },
        el(
          'td',
          { dataset: { label: 'Release' } },
          el('b', { text: `v${r.version}` }),
          r.version === currentVersion && el('span', { className: 'sub', text: 'running now' }),
          r.origin === 'rollback' && el('span', { className: 'sub', text: "the watchdog's rollback" }),
        ),
        el('td', { className: 'mono', dataset: { label: 'Image' }, text: shortImage(r.imageRef), attrs: { title: r.imageRef } }),
        el('td', { dataset: { label: 'Status' }, text: r.status }),
        el(
          'td',
          { dataset: { label: 'Verdict' } },
          el('span', { className: `badge ${VERDICT_TONES[r.verdict] ?? 'muted'}`, text: r.verdict }),
          r.verdictReason && el('span', { className: 'sub', text: r.verdictReason }),
        ),
        el('td', { dataset: { label: 'Deployed' }, text: ago(new Date(r.createdAt).toISOString()), attrs: { title: `${new Date(r.createdAt).toISOString()} by ${r.user}` } }),
        el('td', { dataset: { label: 'Actions' } }, el('span', { className: 'buttons' }, ...buttons(r))),
      ),
    ),
  );
}
