/**
 * How long `fiml-perf trend` takes on a long history: a history of B benchmarks over S daily saves
 * (levels of 50 ns to 5 ms, 2% noise; a quarter of them step up 15% at a random save, a quarter
 * creep 0.1% a save), written to a temporary file, then the trend job run on it in this process
 * (read, analyse, print to a sink), R times; prints the medians of the elapsed and the CPU time
 * (the machine may be shared: CPU time is what the job itself cost) and the first round's time
 * (modules loading, code not yet optimised). With --cli, also the built CLI as a user runs it,
 * `node bin/fiml-perf.js trend --history FILE` in a process, start-up included (npm run build).
 *
 *   node --import tsx scripts/trend-speed.ts [benchmarks=40] [saves=365] [rounds=5] [--cli]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runTrendJob } from '../src/jobs/trend.js';

const args = process.argv.slice(2);
const cli = args.includes('--cli');
const [benchmarks = 40, saves = 365, rounds = 5] = args.filter((a) => a !== '--cli').map(Number);

let seed = 1;
const random = () => {
  seed = (seed * 48_271) % 2_147_483_647;
  return seed / 2_147_483_647;
};
const ids = Array.from({ length: benchmarks }, (_, i) => `group ${i % 7} > benchmark ${i}`);
const shapes = ids.map((_, i) => ({
  level: 50 * 10 ** (random() * 5),
  step: i % 4 === 0 ? Math.floor(random() * saves) : -1,
  creep: i % 4 === 1 ? 1.001 : 1,
}));
const lines: string[] = [];
for (let s = 0; s < saves; s++) {
  const medians: Record<string, number> = {};
  ids.forEach((id, i) => {
    const { level, step, creep } = shapes[i] as (typeof shapes)[number];
    const noise = 1 + (random() + random() + random() - 1.5) * 0.04;
    medians[id] = level * creep ** s * (step >= 0 && s >= step ? 1.15 : 1) * noise;
  });
  const day = new Date(Date.UTC(2026, 0, 1) + s * 86_400_000).toISOString();
  const commit = s.toString(16).padStart(40, '0');
  lines.push(JSON.stringify({ savedAt: day, name: 'main', commit, medians }));
}
const work = mkdtempSync(join(tmpdir(), 'fiml-perf-trend-speed-'));
const history = join(work, 'history.jsonl');
writeFileSync(history, `${lines.join('\n')}\n`);

const write = process.stdout.write;
const times: number[] = [];
const cpu: number[] = [];
const processes: number[] = [];
try {
  for (let r = 0; r < rounds; r++) {
    process.stdout.write = (() => true) as typeof process.stdout.write;
    const start = performance.now();
    const used = process.cpuUsage();
    await runTrendJob({ history, threshold: 0.1, ci: false, filters: [] });
    const { user, system } = process.cpuUsage(used);
    times.push(performance.now() - start);
    cpu.push((user + system) / 1000);
    process.stdout.write = write;
  }
  if (cli)
    for (let r = 0; r < rounds; r++) {
      const start = performance.now();
      execFileSync(process.execPath, ['bin/fiml-perf.js', 'trend', '--history', history], {
        stdio: 'ignore',
      });
      processes.push(performance.now() - start);
    }
} finally {
  process.stdout.write = write;
  rmSync(work, { recursive: true, force: true });
}
const ms = (t: number) => t.toFixed(0);
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
process.stdout.write(
  `${benchmarks} benchmarks x ${saves} saves (${(lines.join('\n').length / 1024 / 1024).toFixed(1)} MB): trend in ${ms(median(times))} ms, ${ms(median(cpu))} ms of CPU (medians of ${rounds}; elapsed ${times.map(ms).join(', ')})${cli ? `; fiml-perf trend as a process ${ms(median(processes))} ms (median of ${rounds}; ${processes.map(ms).join(', ')})` : ''}\n`,
);
