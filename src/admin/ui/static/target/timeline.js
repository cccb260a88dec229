// The guard timeline: the five stages on top, every journal line below (newest first). Lines come
// from GET /journal on load and from live `decision` events after; both describe the same stored
// line, so they are merged by (time, kind, message).
import { $, clock, el, fill } from '../lib/dom.js';
import { currentEpisode, stages, tone } from './episode.js';

const KEEP = 200;

export class Timeline {
  #entries = new Map(); // key → entry, for de-duplication

  /** Replaces everything with the journal (any order). */
  load(entries) {
    this.#entries.clear();
    for (const e of entries) this.add(e);
  }

  /** Adds one line ({at, kind, message, data?}); a line already shown is ignored. */
  add(entry) {
    this.#entries.set(`${entry.at}|${entry.kind}|${entry.message}`, entry);
  }

  /** Oldest first. */
  get entries() {
    return [...this.#entries.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).slice(-KEEP);
  }

  get episode() {
    return currentEpisode(this.entries);
  }

  render(phase) {
    fill(
      $('#stages'),
      ...stages(this.episode, phase).map((s) =>
        el(
          'li',
          { dataset: { stage: s.key, status: s.status }, attrs: { title: s.entry ? s.entry.message : s.status } },
          el('b', { text: s.label }),
          s.entry ? el('time', { text: clock(s.entry.at), attrs: { datetime: s.entry.at } }) : el('span', { text: s.status }),
        ),
      ),
    );
    const newestFirst = this.entries.reverse();
    fill(
      $('#journal'),
      ...newestFirst.map((e) =>
        el(
          'li',
          { dataset: { kind: e.kind, tone: tone(e.kind) } },
          el('time', { text: clock(e.at), attrs: { datetime: e.at, title: e.at } }),
          el('span', {}, el('span', { className: 'kind', text: e.kind }), el('span', { text: e.message })),
        ),
      ),
    );
  }
}
