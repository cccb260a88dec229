/**
 * How much of the combined noise's 60 s for ×10 at 20 requests/s is the price of the burst
 * protection, and how much is the one-φ discount itself? The guard's test, as it runs, beside the
 * same test with a shorter per-look cap (burstyMinDecision 12 s, and 5 s: one look may decide) and
 * with the cap at 5 s and the minute-scale φ at every horizon (the smallest discount the baseline's
 * blocks support). Bad releases show the speed; healthy releases under the noise with bursts show
 * what each costs. A reference for docs/benchmarks.md ("Toward the target"), not a tuning knob.
 *
 *   node bench/detection/cap-limits.ts [--bad 1000] [--healthy 10000]
 */
import { parseArgs } from 'node:util';
import type { Cell, ReleaseClass } from './cells.ts';
import { oursDetector, type DetectorDefinition } from './detectors.ts';
import { medianCountingMisses } from './report.ts';
import { DEFAULT_SUITE_OPTIONS, suiteSpec } from './suite.ts';
import { noiseCell, printShares, shareRolledBack, thetaVariant } from './theta-variants.ts';

const { values } = parseArgs({ options: { bad: { type: 'string', default: '1000' }, healthy: { type: 'string', default: '10000' } } });
const bad = Number(values.bad);
const healthy = Number(values.healthy);
if (!(bad > 0 && healthy > 0)) {
  console.error('usage: cap-limits.ts [--bad N] [--healthy N]');
  process.exit(2);
}
const { seed, timing } = DEFAULT_SUITE_OPTIONS;
const spec = suiteSpec(timing);
const capAt = (ms: number) => ({ ...spec, minDecisionMs: Math.min(spec.minDecisionMs, ms), burstyMinDecisionMs: ms });

const detectors: DetectorDefinition[] = [
  { ...oursDetector(spec), name: `cap ${spec.burstyMinDecisionMs / 1000} s where bursty (as the guard runs)` },
  { ...oursDetector(capAt(12_000)), name: 'cap 12 s' },
  { ...oursDetector(capAt(5_000)), name: 'cap 5 s (one look may decide)' },
  thetaVariant(capAt(5_000), "cap 5 s, the minute-scale φ at every horizon", (ctx) => ({ ...ctx.summary, dispersion: ctx.summary.shortDispersion })),
];
const comparison = { seed, spec, timing, detectors };

/** Seconds to the rollback of each detector's caught deploys, for the medians. */
const caught: number[][] = detectors.map(() => []);
function rolledBack(c: Cell, releaseClass: ReleaseClass, n: number, keepTimes = false): number[] {
  return shareRolledBack(comparison, c, releaseClass, n, (after) => {
    if (keepTimes) after.forEach((t, d) => t !== null && caught[d]?.push(t));
  });
}

const columns: [string, number[]][] = [
  [`×10 caught: combined @20 (${bad})`, rolledBack(noiseCell('combined', 20), 'errors-x10', bad, true)],
  [`healthy rolled back (${healthy} each): combined @20`, rolledBack(noiseCell('combined', 20), 'healthy', healthy)],
  ['combined @200', rolledBack(noiseCell('combined', 200), 'healthy', healthy)],
  ['100% bursts @20', rolledBack(noiseCell('bursts-100', 20), 'healthy', healthy)],
  ['combined+outages @200', rolledBack(noiseCell('combined+outages', 200), 'healthy', healthy)],
];
printShares(`What the burst cap costs: seed ${seed}; ×10 under the combined noise, healthy releases under noise with bursts`, 'the test with', detectors, columns);
console.log(`\n| the test with | ×10, combined @20: median s (misses count as never) |\n| --- | ---: |`);
detectors.forEach((d, k) => {
  const median = medianCountingMisses([...(caught[k] ?? [])].sort((a, b) => a - b), bad);
  console.log(`| ${d.name} | ${median ?? '—'} |`);
});
