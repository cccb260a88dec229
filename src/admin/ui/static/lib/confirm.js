// The confirm step in front of every action: it says in plain words what will happen (which
// release is deployed, what is left running) before anything is sent.
import { $, el, fill } from './dom.js';

/**
 * Shows the confirm dialog. `what` is a list of sentences (strings) describing the effect.
 * Resolves with {reason} (the optional reason typed, or undefined) on confirm, null on cancel.
 */
export function confirmAction({ title, what, confirmLabel }) {
  const dialog = $('#confirm');
  $('#confirm-title').textContent = title;
  fill($('#confirm-body'), ...what.map((sentence) => el('p', { text: sentence })));
  $('#confirm-ok').textContent = confirmLabel;
  const reason = $('#confirm-reason');
  reason.value = '';
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        const text = reason.value.trim();
        resolve(dialog.returnValue === 'ok' ? { reason: text || undefined } : null);
      },
      { once: true },
    );
    dialog.returnValue = '';
    dialog.showModal();
    // Focus Cancel, not Confirm: an Enter pressed by habit must not deploy anything.
    $('#confirm-cancel').focus();
  });
}
