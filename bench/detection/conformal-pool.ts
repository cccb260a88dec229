/**
 * Pools runs of conformal-stream.ts: reads the JSON line each run prints last and prints one row
 * for all of them together (healthy deploys rolled back with the 95 % interval, bad deploys caught
 * and their median), as docs/benchmarks.md gives them.
 *
 *   node bench/detection/conformal-stream.ts --stream 0 > s0.txt; … --stream 1 > s1.txt
 *   node bench/detection/conformal-pool.ts s0.txt s1.txt
 */
import { readFileSync } from 'node:fs';
import { clopperPearson } from './clopper-pearson.ts';
import { medianCountingMisses } from './report.ts';

interface StreamResult {
  deploys: number;
  rolledBack: number;
  bad: (number | null)[];
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('conformal-pool.ts: give the output files of conformal-stream.ts runs');
  process.exit(2);
}
const results = files.map((file): StreamResult => {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('JSON '));
  if (line === undefined) {
    console.error(`conformal-pool.ts: ${file} has no JSON line: not a finished conformal-stream.ts run`);
    process.exit(2);
  }
  return JSON.parse(line.slice('JSON '.length)) as StreamResult;
});
const deploys = results.reduce((s, r) => s + r.deploys, 0);
const rolledBack = results.reduce((s, r) => s + r.rolledBack, 0);
const bad = results.flatMap((r) => r.bad);
const caught = bad.flatMap((s) => (s === null ? [] : [s])).sort((a, b) => a - b);
const { upper } = clopperPearson(rolledBack, Math.max(1, deploys));
const pct = (x: number, digits: number) => `${(100 * x).toFixed(digits)} %`;
console.log('| streams | healthy rolled back | 95 % upper bound | ×m caught | median s |');
console.log('| ---: | ---: | ---: | ---: | ---: |');
console.log(
  `| ${files.length} | ${rolledBack} of ${deploys} | ${pct(upper, 3)} | ${pct(caught.length / Math.max(1, bad.length), 1)} of ${bad.length} | ${medianCountingMisses(caught, bad.length) ?? 'more than the horizon'} |`,
);
