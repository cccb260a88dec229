// What every page does first: make sure there is an accepted token (asking for it once in the
// log-in form), learn its role, and open the live event feed.
import { api, ApiError, setUnauthorizedHandler, token } from './api.js';
import { $, el, fill } from './dom.js';
import { followEvents } from './sse.js';

/** Resolves with {name, role} once a token is accepted; shows the log-in form until then. */
export async function startSession() {
  setUnauthorizedHandler(() => {
    // The token was revoked or the daemon's config changed: start over from the form.
    token.clear();
    location.reload();
  });
  $('#sign-out').addEventListener('click', () => {
    token.clear();
    location.reload();
  });
  for (;;) {
    if (!token.get()) await askForToken();
    try {
      const who = await api('/api/v1/whoami');
      showSignedIn(who);
      return who;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        token.clear();
        loginError('That token was not accepted. Check it and try again.');
        continue;
      }
      // The daemon is down or restarting: keep the token and try again shortly.
      $('#login').hidden = false;
      loginError(`Cannot reach the watchdog (${err.message}); retrying…`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

function askForToken() {
  $('#main').hidden = true;
  $('#login').hidden = false;
  const form = $('#login-form');
  const input = $('#login-token');
  input.focus();
  return new Promise((resolve) => {
    form.addEventListener('submit', function submit(event) {
      event.preventDefault();
      const value = input.value.trim();
      if (!value) return;
      input.value = '';
      token.set(value);
      form.removeEventListener('submit', submit);
      resolve();
    });
  });
}

function loginError(message) {
  const line = $('#login-error');
  line.textContent = message;
  line.hidden = false;
}

function showSignedIn(who) {
  $('#login').hidden = true;
  $('#login-error').hidden = true;
  $('#main').hidden = false;
  $('#sign-out').hidden = false;
  fill($('#who'), 'signed in as ', el('b', { text: who.name }), ` (${who.role})`);
}

const LIVE_LABELS = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', stopped: 'offline' };

/**
 * Opens the event feed. handlers: {state, decision, measurement, reset}(event) with event.data
 * parsed, and reconnected() after the stream comes back (events missed meanwhile may include
 * measurements, which are never replayed: reload what the page shows).
 */
export function startLive(handlers) {
  const indicator = $('#live');
  const show = (state) => {
    indicator.dataset.state = state === 'stopped' ? 'offline' : state;
    indicator.textContent = LIVE_LABELS[state] ?? state;
  };
  return followEvents('/api/v1/events', {
    getToken: token.get,
    onStatus(state, info) {
      show(state);
      if (state === 'live' && info.reconnected) handlers.reconnected?.();
    },
    onAuthError(status) {
      show('stopped');
      indicator.textContent = status === 401 ? 'signed out' : 'no access to events';
    },
    onEvent(event) {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return; // not one of the daemon's frames; nothing to show
      }
      handlers[event.type]?.(data);
    },
  });
}

/**
 * Wraps a reload so bursts of triggers (a reconnect followed by its reset event, several decisions
 * in one transition) run it at most once at a time, plus once more if asked meanwhile.
 */
export function coalesce(load) {
  let running;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await load();
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  return run;
}
