// The operator's actions on one target. Each goes through the confirm dialog, which says what will
// happen, then POSTs to the acting API. The role only decides what is enabled: the API checks it
// again on every request, so a viewer forcing a request gets 403 regardless.
import { api, seg } from '../lib/api.js';
import { confirmAction } from '../lib/confirm.js';
import { $, el } from '../lib/dom.js';

const BUSY = new Set(['rolling-back', 'verifying']);
const VIEWER_NOTE =
  'Read-only: you are signed in with a viewer token. Approving, vetoing, rolling back, pausing and marking releases need an operator token.';

export class Actions {
  #operator;
  #refresh;
  #detail;

  /** `refresh()` reloads the page's data after an action. */
  constructor({ role, refresh }) {
    this.#operator = role === 'operator';
    this.#refresh = refresh;
    const note = $('#actions-note');
    note.hidden = this.#operator;
    note.textContent = this.#operator ? '' : VIEWER_NOTE;
    for (const button of document.querySelectorAll('#actions [data-action]')) {
      button.addEventListener('click', () => void this.#top(button.dataset.action));
    }
  }

  /** Enables what fits the target's state (for an operator), with the reason in each tooltip. */
  update(detail) {
    this.#detail = detail;
    const held = detail.phase === 'held';
    this.#enable('approve', held && detail.plan?.to !== undefined, held ? 'nothing to go back to: roll back to a release of your choice below, or veto' : 'no rollback is held');
    this.#enable('veto', held, 'no rollback is held');
    this.#enable('pause', !detail.paused, 'already paused');
    this.#enable('resume', detail.paused, 'not paused');
  }

  #enable(action, allowed, whyNot) {
    const button = $(`#actions [data-action="${action}"]`);
    button.disabled = !this.#operator || !allowed;
    button.title = !this.#operator ? 'needs an operator token' : allowed ? '' : whyNot;
  }

  /** The buttons of one row of the release list. */
  releaseButtons(release) {
    const d = this.#detail;
    const current = d?.current?.version === release.version;
    const rollbackWhyNot = current ? 'this release is running now' : release.verdict === 'bad' ? 'judged bad' : d && BUSY.has(d.phase) ? 'a rollback is under way' : '';
    const button = (label, action, whyNot) =>
      el('button', {
        className: 'small',
        text: label,
        disabled: !this.#operator || whyNot !== '',
        dataset: { action, version: release.version },
        attrs: { type: 'button', title: !this.#operator ? 'needs an operator token' : whyNot },
        on: { click: () => void this.#forRelease(action, release) },
      });
    return [
      button('Roll back here', 'rollback-to', rollbackWhyNot),
      button('Mark good', 'mark-good', release.verdict === 'good' ? 'already good' : ''),
      button('Mark bad', 'mark-bad', release.verdict === 'bad' ? 'already bad' : ''),
    ];
  }

  #top(action) {
    const d = this.#detail;
    const base = `/api/v1/targets/${seg(d.name)}`;
    const plan = d.plan ?? {};
    const steps = {
      approve: {
        title: `Approve the rollback of ${d.name}?`,
        what: [
          `The image of v${plan.to} (${plan.imageRef ?? 'its image'}) is deployed to ${d.app} now, replacing v${plan.from}.`,
          'Approving takes the rollback past every safety rail. The watchdog then verifies it and closes the incident once healthy.',
        ],
        confirmLabel: `Roll back to v${plan.to}`,
      },
      veto: {
        title: `Veto the rollback of ${d.name}?`,
        what: [`Nothing is deployed: v${plan.from} keeps running, and the watchdog takes no automatic action until a new release appears.`, 'The incident is closed as vetoed.'],
        confirmLabel: 'Veto, keep it running',
      },
      pause: {
        title: `Pause automatic rollbacks of ${d.name}?`,
        what: ['Guards go on judging releases, but a failing release is held for a human instead of being rolled back.', 'The pause is stored and survives restarts.'],
        confirmLabel: 'Pause',
      },
      resume: {
        title: `Resume automatic rollbacks of ${d.name}?`,
        what: ['A failing release is rolled back automatically again (in auto mode).', 'A global pause, if one is set, still applies.'],
        confirmLabel: 'Resume',
      },
    };
    return this.#run(steps[action], `${base}/${action}`, {});
  }

  #forRelease(action, release) {
    const d = this.#detail;
    const base = `/api/v1/targets/${seg(d.name)}`;
    const v = release.version;
    if (action === 'rollback-to') {
      return this.#run(
        {
          title: `Roll ${d.name} back to v${v}?`,
          what: [
            `The image of v${v} (${release.imageRef}) is deployed to ${d.app} now with fly deploy${d.current ? `, replacing v${d.current.version}` : ''}.`,
            'It is recorded as a manual rollback and verified like an automatic one.',
          ],
          confirmLabel: `Deploy v${v}'s image`,
        },
        `${base}/rollback`,
        { version: v },
      );
    }
    const verdict = action === 'mark-good' ? 'good' : 'bad';
    return this.#run(
      {
        title: `Mark v${v} of ${d.name} ${verdict}?`,
        what: [
          'Nothing is deployed or rolled back now.',
          verdict === 'good' ? 'Later rollbacks may go back to this release.' : 'Later rollbacks never go back to this image, and a redeploy of it fails its guard at once.',
        ],
        confirmLabel: `Mark ${verdict}`,
      },
      `${base}/releases/${v}/${action}`,
      {},
    );
  }

  async #run(step, path, body) {
    const answer = await confirmAction(step);
    if (!answer) return;
    const result = $('#action-result');
    result.className = '';
    result.textContent = `${step.confirmLabel}…`;
    try {
      await api(path, { method: 'POST', body: { ...body, ...(answer.reason && { reason: answer.reason }) } });
      result.textContent = `${step.confirmLabel}: accepted.`;
    } catch (err) {
      result.className = 'error';
      result.textContent = `${step.confirmLabel}: refused (${err.code}: ${err.message})`;
    }
    await this.#refresh();
  }
}
