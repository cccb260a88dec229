// Probe results as a strip of coloured cells per check, newest on the right. Each cell names its
// time, outcome and detail in its tooltip, so the colour is never the only carrier of meaning.
import { $, clock, el, fill } from '../lib/dom.js';

const CELLS_PER_CHECK = 90;

export class ProbeStrip {
  #byCheck = new Map(); // check → results, oldest first

  load(probes) {
    this.#byCheck.clear();
    for (const p of probes) this.#push(p);
    this.render();
  }

  add(probe) {
    this.#push(probe);
    this.render();
  }

  #push(p) {
    const list = this.#byCheck.get(p.check) ?? [];
    // Live events and a reload may deliver the same result; keep one.
    if (list.some((x) => x.at === p.at && x.phase === p.phase)) return;
    list.push(p);
    if (list.length > CELLS_PER_CHECK) list.splice(0, list.length - CELLS_PER_CHECK);
    this.#byCheck.set(p.check, list);
  }

  render() {
    $('#probes-empty').hidden = this.#byCheck.size > 0;
    const rows = [...this.#byCheck.entries()].sort(([a], [b]) => a.localeCompare(b));
    fill(
      $('#probes'),
      ...rows.map(([check, results]) =>
        el(
          'div',
          { className: 'probe-row', dataset: { check } },
          el('span', { className: 'mono', text: check }),
          el(
            'div',
            { className: 'cells', attrs: { role: 'list', 'aria-label': `${check} results, oldest first` } },
            ...results.map((r) => {
              const phase = String(r.phase).toLowerCase();
              const label = `${clock(r.at)} ${phase}${r.detail ? `: ${r.detail}` : ''}`;
              return el('span', { className: 'cell', dataset: { phase }, attrs: { role: 'listitem', title: label, 'aria-label': label } });
            }),
          ),
        ),
      ),
    );
  }
}
