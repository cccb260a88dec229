// The error-rate chart (uPlot, loaded by the page shell as a global): the guarded release's rate
// against its baseline and the decision boundary (the threshold it must stay under), with the
// deploy, verdict and rollback moments drawn as labelled vertical lines.
import { $, percent } from '../lib/dom.js';

const HEIGHT = 260;

export class RateChart {
  #container;
  #plot;
  #points = new Map(); // at (ms) → point, for one release
  #marks = [];
  #version;

  constructor(container) {
    this.#container = container;
    addEventListener('resize', () => this.#plot?.setSize({ width: this.#width(), height: HEIGHT }));
  }

  /** The uPlot instance (undefined until there is a point); its `data` is what is drawn. */
  get plot() {
    return this.#plot;
  }

  /**
   * Shows `rates` (error-rate points from GET /series or events) of release `version` (the newest
   * point's release when undefined), and `marks` ({at, label}).
   */
  set(rates, marks, version) {
    const next = version ?? rates.findLast((p) => p.version !== undefined)?.version;
    if (next !== this.#version && this.#plot) {
      // Another release is guarded now: its legend and scale start over.
      this.#plot.destroy();
      this.#plot = undefined;
    }
    this.#version = next;
    this.#marks = marks;
    this.#points.clear();
    for (const p of rates) this.#take(p);
    this.#draw();
  }

  /** One live point; points of another release are ignored until the next set(). */
  add(point) {
    if (this.#version === undefined) this.#version = point.version;
    if (this.#take(point)) this.#draw();
  }

  #take(p) {
    if (this.#version !== undefined && p.version !== undefined && p.version !== this.#version) return false;
    // A reading the source could not give (Prometheus down, a scrape refused) has no rate: the
    // engine's NaN arrives as null. It is a gap, not a point at zero.
    if (typeof p.rate !== 'number' || !Number.isFinite(p.rate)) return false;
    this.#points.set(Date.parse(p.at), p);
    return true;
  }

  #width() {
    return Math.max(280, this.#container.clientWidth || 600);
  }

  #draw() {
    const points = [...this.#points.entries()].sort((a, b) => a[0] - b[0]);
    $('#chart-empty').hidden = points.length > 0;
    $('#chart-title').textContent = this.#version === undefined ? 'Error rate' : `Error rate of v${this.#version} against its baseline`;
    if (points.length === 0) return;
    const data = [
      points.map(([at]) => at / 1000),
      points.map(([, p]) => p.rate),
      points.map(([, p]) => p.baselineRate),
      points.map(([, p]) => p.threshold),
    ];
    if (!this.#plot) this.#plot = new globalThis.uPlot(this.#options(), data, this.#container);
    else this.#plot.setData(data);
  }

  #options() {
    const css = getComputedStyle(document.documentElement);
    const color = (name) => css.getPropertyValue(name).trim();
    const text = color('--muted');
    const grid = { stroke: color('--chart-grid'), width: 1 };
    const value = (_u, v) => (v === null || v === undefined ? '–' : percent(v));
    return {
      width: this.#width(),
      height: HEIGHT,
      scales: {
        // Widen the time axis to the marked moments: the rollback comes after the last reading.
        x: { time: true, range: (_u, min, max) => this.#xRange(min, max) },
        y: { range: (_u, _min, max) => [0, Math.max(0.01, max) * 1.15] },
      },
      axes: [
        { stroke: text, grid, ticks: grid },
        { stroke: text, grid, ticks: grid, size: 64, values: (_u, ticks) => ticks.map((t) => percent(t)) },
      ],
      series: [
        {},
        { label: `v${this.#version ?? '?'} error rate`, stroke: color('--chart-rate'), width: 2, points: { show: true, size: 5 }, value },
        { label: 'baseline', stroke: color('--chart-baseline'), width: 2, value },
        { label: 'threshold (decision boundary)', stroke: color('--chart-threshold'), width: 2, dash: [8, 5], value },
      ],
      hooks: { draw: [(u) => this.#drawMarks(u, color('--text'))] },
    };
  }

  #xRange(min, max) {
    const times = this.#marks.map((m) => m.at / 1000);
    const lo = Math.min(min, ...times);
    const hi = Math.max(max, ...times);
    const pad = Math.max((hi - lo) * 0.04, 0.5);
    return [lo - pad, hi + pad];
  }

  #drawMarks(u, stroke) {
    const { ctx, bbox } = u;
    const ratio = devicePixelRatio || 1;
    ctx.save();
    ctx.strokeStyle = stroke;
    ctx.fillStyle = stroke;
    ctx.lineWidth = ratio;
    ctx.setLineDash([4 * ratio, 4 * ratio]);
    ctx.font = `${11 * ratio}px system-ui, sans-serif`;
    this.#marks.forEach((mark, i) => {
      const x = u.valToPos(mark.at / 1000, 'x', true);
      if (x < bbox.left || x > bbox.left + bbox.width) return;
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
      // Stagger the labels so two moments close together stay readable.
      ctx.fillText(mark.label, x + 3 * ratio, bbox.top + (12 + (i % 2) * 13) * ratio);
    });
    ctx.restore();
  }
}
