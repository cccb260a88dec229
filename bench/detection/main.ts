/**
 * `npm run bench:detection`: the statistical suite (virtual time, seconds) and then the end-to-end
 * suite (wall clock, minutes), each as its own CLI in a child process so both stay runnable alone.
 *
 *   node bench/detection/main.ts [--suite statistical|e2e|all] [--json FILE]
 *                                [--seed N] [--scale F]                      (statistical)
 *                                [--scenarios a,b] [--window S] [--no-error-rate]   (e2e)
 *
 * --json writes `{ statistical, e2e }`, each what that suite's own --json writes. Exits non-zero
 * when a suite did.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SUITES = ['statistical', 'e2e'] as const;
type Suite = (typeof SUITES)[number];

const { values } = parseArgs({
  options: {
    suite: { type: 'string', default: 'all' },
    json: { type: 'string' },
    seed: { type: 'string' },
    scale: { type: 'string' },
    workers: { type: 'string' },
    cells: { type: 'string' },
    scenarios: { type: 'string' },
    window: { type: 'string' },
    'no-error-rate': { type: 'boolean', default: false },
  },
});
if (values.suite !== 'all' && !SUITES.includes(values.suite as Suite)) {
  console.error('usage: main.ts [--suite statistical|e2e|all] [--json FILE] [statistical or e2e options]');
  process.exit(2);
}
const selected: Suite[] = values.suite === 'all' ? [...SUITES] : [values.suite as Suite];

/** Each suite's own options, passed through unchanged. */
function suiteArgs(suite: Suite): string[] {
  const pass = (name: 'seed' | 'scale' | 'workers' | 'cells' | 'scenarios' | 'window') => (values[name] === undefined ? [] : [`--${name}`, values[name]]);
  if (suite === 'statistical') return [...pass('seed'), ...pass('scale'), ...pass('workers'), ...pass('cells')];
  return [...pass('scenarios'), ...pass('window'), ...(values['no-error-rate'] ? ['--no-error-rate'] : [])];
}

function runSuite(suite: Suite, jsonFile: string | undefined): Promise<number> {
  const script = fileURLToPath(new URL(`./${suite}.ts`, import.meta.url));
  const args = [script, ...suiteArgs(suite), ...(jsonFile ? ['--json', jsonFile] : [])];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal's process group; a plain kill of us is passed on.
  const forward = () => child.kill('SIGTERM');
  process.once('SIGTERM', forward);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    }),
  );
}

const started = performance.now();
const dir = values.json === undefined ? undefined : mkdtempSync(join(tmpdir(), 'wd-bench-detection-'));
const results: Partial<Record<Suite, unknown>> = {};
let failed = 0;
for (const [i, suite] of selected.entries()) {
  if (i > 0) console.log('\n');
  const jsonFile = dir === undefined ? undefined : join(dir, `${suite}.json`);
  const code = await runSuite(suite, jsonFile);
  if (code !== 0) {
    console.error(`${suite} suite exited ${code}`);
    failed += 1;
  } else if (jsonFile !== undefined) {
    results[suite] = JSON.parse(readFileSync(jsonFile, 'utf8'));
  }
}
console.log(`\ndetection benchmark: ${selected.join(' + ')} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (values.json !== undefined && dir !== undefined) {
  writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed === 0 ? 0 : 1);
