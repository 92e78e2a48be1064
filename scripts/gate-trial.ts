/**
 * Proves the regression gate on this machine (docs/regression.md):
 *  - A/A: `--runs` runs of the real FIML benchmarks, each compared with the next (the same code
 *    against itself): how many comparisons come out as false regressions?
 *  - Power: the test-only delay-knob benchmark (bench-gate/), baseline against a build made 10%
 *    slower, `--pairs` times: how often is the slowdown flagged?
 * Each beside the seed's rule (a mean that moved more than 10% is a regression).
 *
 *   node --import tsx scripts/gate-trial.ts [--runs 21] [--pairs 20] [--processes 5] [--time 100]
 *     [--filter dsl,core] [--skip aa|power]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type BenchResult, runInterleaved } from '../src/bench/index.js';
import { compareFiles, compareResults } from '../src/regress/index.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '21' },
    pairs: { type: 'string', default: '20' },
    processes: { type: 'string', default: '5' },
    time: { type: 'string', default: '100' },
    skip: { type: 'string', default: '' },
    filter: { type: 'string', default: '' },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-gate-'));
const processes = values.processes as string;
const filters = (values.filter as string).split(',').filter(Boolean);
const time = values.time as string;

function bench(out: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): string {
  execFileSync(
    process.execPath,
    [
      'bin/fiml-perf.js',
      'bench',
      ...filters,
      '--processes',
      processes,
      '--time',
      time,
      '--json',
      out,
      '--quiet',
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } },
  );
  return out;
}

/** The seed's rule: the mean moved more than 10%. */
function seedRule(a: string, b: string): { regressions: number; comparisons: number } {
  const ra = JSON.parse(readFileSync(a, 'utf8')) as BenchResult;
  const rb = JSON.parse(readFileSync(b, 'utf8')) as BenchResult;
  let regressions = 0;
  let comparisons = 0;
  for (const x of rb.benchmarks) {
    const y = ra.benchmarks.find((e) => e.id === x.id);
    if (!y) continue;
    comparisons++;
    if (x.stats.mean > y.stats.mean * 1.1) regressions++;
  }
  return { regressions, comparisons };
}

const pct = (n: number, d: number) => `${((n / d) * 100).toFixed(1)}%`;

if (!(values.skip as string).includes('aa')) {
  const runs: string[] = [];
  for (let i = 0; i < Number(values.runs); i++) {
    runs.push(bench(join(dir, `aa-${i}.json`)));
    console.error(`A/A run ${i + 1}/${values.runs}`);
  }
  let ours = 0;
  let inconclusive = 0;
  let seed = 0;
  let total = 0;
  for (let i = 1; i < runs.length; i++) {
    const report = compareFiles(runs[i - 1] as string, runs[i] as string);
    ours += report.summary.regression;
    inconclusive += report.summary.inconclusive;
    total += report.comparisons.length;
    seed += seedRule(runs[i - 1] as string, runs[i] as string).regressions;
  }
  console.log(
    `A/A: ${runs.length - 1} comparisons of ${total / (runs.length - 1)} benchmarks = ${total} comparisons`,
  );
  console.log(
    `  fiml-perf compare: ${ours} false regressions (${pct(ours, total)}), ${inconclusive} inconclusive (${pct(inconclusive, total)})`,
  );
  console.log(`  seed's rule (mean > +10%): ${seed} false regressions (${pct(seed, total)})`);
}

if (!(values.skip as string).includes('power')) {
  let ours = 0;
  let seed = 0;
  let aaOurs = 0;
  const pairs = Number(values.pairs);
  const side = (slowdown: string) => ({
    cli: 'bin/fiml-perf.js',
    cwd: process.cwd(),
    env: { FIML_PERF_BENCH_SLOWDOWN: slowdown },
  });
  // As fiml-perf ab does: at least 5 processes a side, more (up to --processes) while inconclusive.
  const clear = (a: BenchResult, b: BenchResult) =>
    compareResults({ kind: 'bench', result: a }, { kind: 'bench', result: b }, ['a', 'b']).summary
      .inconclusive === 0;
  const options = {
    root: 'bench-gate',
    filters: [],
    timeMs: Number(time),
    maxProcesses: Number(processes),
    minProcesses: 5,
    done: clear,
  };
  const save = (name: string, result: BenchResult) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(result));
    return path;
  };
  for (let i = 0; i < pairs; i++) {
    // Alternating fresh processes, as fiml-perf ab runs them: A B B A ...
    const slow = runInterleaved(side('0'), side('0.1'), options);
    const same = runInterleaved(side('0'), side('0'), options);
    const base = save(`base-${i}.json`, slow.a);
    const slower = save(`slow-${i}.json`, slow.b);
    if (compareFiles(base, slower).summary.regression > 0) ours++;
    if (
      compareFiles(save(`aa-a-${i}.json`, same.a), save(`aa-b-${i}.json`, same.b)).summary
        .regression > 0
    )
      aaOurs++;
    if (seedRule(base, slower).regressions > 0) seed++;
    console.error(`power pair ${i + 1}/${pairs}: flagged so far ${ours}`);
  }
  console.log(
    `10% slower knob (threshold 5%), ${pairs} pairs, 5 to ${processes} interleaved processes a side:`,
  );
  console.log(
    `  fiml-perf compare flagged ${ours}/${pairs} (${pct(ours, pairs)}); knob A/A false regressions ${aaOurs}/${pairs}`,
  );
  console.log(`  seed's rule (mean > +10%) flagged ${seed}/${pairs} (${pct(seed, pairs)})`);
}
console.log(`results in ${dir}`);
