import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResult } from '../../src/bench/index.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function benchDir(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'nested'), { recursive: true });
  // As in a user's project: an ESM package (a .ts file elsewhere would load as CommonJS).
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  for (const [file, source] of Object.entries(files)) writeFileSync(join(root, file), source);
  return root;
}

const good = benchDir('good', {
  'math.bench.ts': `import { bench, group } from 'fiml-perf/bench';
group('math', () => {
  bench('sum 1000', () => { let s = 0; for (let i = 0; i < 1000; i++) s += i; return s; });
  bench('sqrt', () => Math.sqrt(Math.random()), { threshold: 0.2 });
});`,
  // The front's copy, kept for the files written against 0.1.0.
  'nested/text.bench.ts': `import { bench } from 'fiml-perf';
bench('join', () => ['a', 'b', 'c'].join('-'));`,
});

describe('fiml-perf bench', () => {
  it('finds bench files, filters them, and writes the versioned result', async () => {
    const json = join(dir, 'out.json');
    const run = await runCli(['bench', 'math', '--dir', good, '--time', '60', '--json', json]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/math > sum 1000\s+cpu\s+[\d.]+ (ns|us)/);
    expect(run.stdout).not.toMatch(/join/);
    const result = JSON.parse(readFileSync(json, 'utf8')) as BenchResult;
    expect(result).toMatchObject({
      schemaVersion: 1,
      kind: 'bench',
      config: { processes: 1, timeMs: 60 },
    });
    expect(result.environment.node).toBe(process.version);
    expect(result.benchmarks.map((b) => b.id)).toEqual(['math > sum 1000', 'math > sqrt']);
    expect(result.benchmarks[1]!.threshold).toBe(0.2);
    const stats = result.benchmarks[0]!.stats;
    for (const key of [
      'min',
      'max',
      'mean',
      'median',
      'stddev',
      'mad',
      'iqr',
      'p75',
      'p99',
      'opsPerSec',
      'rme',
    ])
      expect(stats).toHaveProperty(key);
    expect(stats.samples).toBe(result.benchmarks[0]!.samples.length);
  });

  it('--processes K keeps a median per fresh process', async () => {
    const json = join(dir, 'procs.json');
    const run = await runCli([
      'bench',
      'join',
      '--dir',
      good,
      '--time',
      '50',
      '--processes',
      '2',
      '--json',
      json,
      '-q',
    ]);
    expect(run.code).toBe(0);
    const [joined] = (JSON.parse(readFileSync(json, 'utf8')) as BenchResult).benchmarks;
    expect(joined!.processMedians).toHaveLength(2);
  });

  it('--save writes .benchmarks/NAME.json and appends to the history', async () => {
    const cwd = join(dir, 'save');
    mkdirSync(cwd);
    const run = await runCli(
      ['bench', 'sqrt', '--dir', good, '--time', '50', '--save', 'first', '-q'],
      {},
      cwd,
    );
    expect(run.code).toBe(0);
    expect(existsSync(join(cwd, '.benchmarks/first.json'))).toBe(true);
    const history = readFileSync(join(cwd, '.benchmarks/history.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(history[0]!)).toMatchObject({
      name: 'first',
      medians: { 'math > sqrt': expect.any(Number) },
    });
  });

  it('--save after a save cut short drops the fragment, so trend reads every whole save', async () => {
    const cwd = join(dir, 'torn');
    mkdirSync(join(cwd, '.benchmarks'), { recursive: true });
    const whole = JSON.stringify({
      savedAt: '2026-01-01T00:00:00Z',
      name: 'a',
      commit: null,
      medians: { 'math > sqrt': 10 },
    });
    writeFileSync(join(cwd, '.benchmarks/history.jsonl'), `${whole}\n{"savedAt":"2026-01-02T`);
    const run = await runCli(
      ['bench', 'sqrt', '--dir', good, '--time', '50', '--save', 'next', '-q'],
      {},
      cwd,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/dropped a save cut short/);
    const lines = readFileSync(join(cwd, '.benchmarks/history.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).name)).toEqual(['a', 'next']);
    const trend = await runCli(['trend', '--history', '.benchmarks/history.jsonl'], {}, cwd);
    expect(trend.code, trend.stderr).toBe(0);
  });

  it('runs a .ts bench file in a folder with no package.json (an ES module there)', async () => {
    const root = join(dir, 'no-package');
    mkdirSync(root, { recursive: true });
    writeFileSync(
      join(root, 'c.bench.ts'),
      "import { bench } from 'fiml-perf/bench';\nbench('c', () => Math.sqrt(2));\n",
    );
    const run = await runCli(['bench', '--dir', root, '--time', '50']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\bc\b/);
  });

  it.each([
    ['a missing folder', () => ['--dir', join(dir, 'none')], /no benchmark folder .*none/],
    ['no match', () => ['zzz', '--dir', good], /no benchmark matches zzz/],
    [
      'a bench file that does not compile',
      () => [
        '--dir',
        benchDir('broken', {
          'x.bench.ts': "import { bench } from 'fiml-perf/bench';\nbench('x', () => {\n",
        }),
      ],
      /x\.bench\.ts:\d+:\d+: /,
    ],
    [
      'a benchmark that throws',
      () => [
        '--dir',
        benchDir('throws', {
          'y.bench.ts':
            "import { bench } from 'fiml-perf/bench';\nbench('boom', () => { throw new Error('nope'); });\n",
        }),
      ],
      /benchmark 'boom' .* threw: nope/,
    ],
  ])('exits 2 with one line for %s', async (_what, args, pattern) => {
    const run = await runCli(['bench', ...args(), '--time', '50']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(pattern);
  });
});
