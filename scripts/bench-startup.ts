/**
 * How fast the CLI answers when it does no work: --help, a command's --help and a wrong flag,
 * each against a bare `node -e 0`, medians of N runs each, interleaved. Needs a built dist.
 *
 *   node --import tsx scripts/bench-startup.ts [--runs 20]
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(values.runs);
const cases: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'fiml-perf --help': ['bin/fiml-perf.js', '--help'],
  'fiml-perf load --help': ['bin/fiml-perf.js', 'load', '--help'],
  'fiml-perf load -u 0 (user error)': ['bin/fiml-perf.js', 'load', '-u', '0'],
  'fiml-perf compare --threshold x (user error)': [
    'bin/fiml-perf.js',
    'compare',
    'a.json',
    'b.json',
    '--threshold',
    'x',
  ],
  'fiml-perf bogus (user error)': ['bin/fiml-perf.js', 'bogus'],
};

/** Wall time in ms and peak RSS in MB of one run (from /usr/bin/time when present). */
function once(args: string[]): { ms: number; rssMb: number } {
  const started = process.hrtime.bigint();
  const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], {
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rssKb = Number(run.stderr.trim().split('\n').at(-1));
  return { ms, rssMb: rssKb / 1024 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const times = new Map<string, number[]>(Object.keys(cases).map((k) => [k, []]));
const rss = new Map<string, number[]>(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++)
  for (const [name, args] of Object.entries(cases)) {
    const { ms, rssMb } = once(args);
    times.get(name)!.push(ms);
    rss.get(name)!.push(rssMb);
  }
const base = median(times.get('node -e 0')!);
console.log(`\n${runs} runs each, interleaved; medians\n`);
console.log('| command | ms | vs node -e 0 | max RSS MB |');
console.log('| --- | ---: | ---: | ---: |');
for (const name of Object.keys(cases)) {
  const ms = median(times.get(name)!);
  console.log(
    `| ${name} | ${ms.toFixed(0)} | ${(ms / base).toFixed(2)}x | ${median(rss.get(name)!).toFixed(0)} |`,
  );
}
