import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareFiles, comparisonMarkdown } from '../../src/regress/index.js';
import {
  benchResult,
  ENVIRONMENT,
  entry,
  processMedians,
  write,
} from '../helpers/bench-results.js';
import { runCliInProcess as runCli } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Ten process medians per benchmark, 3% spread, except the noisy one (40%).
const baseline = benchResult([
  entry('suite > slower', processMedians(1, 1000, 0.03)),
  entry('suite > faster', processMedians(2, 1000, 0.03)),
  entry('suite > same', processMedians(3, 1000, 0.03)),
  entry('suite > small', processMedians(6, 1000, 0.005)),
  entry('suite > noisy', processMedians(4, 1000, 0.4)),
  entry('suite > removed', processMedians(5, 1000, 0.03)),
]);
const current = benchResult([
  entry('suite > slower', processMedians(11, 1300, 0.03)),
  entry('suite > faster', processMedians(12, 700, 0.03)),
  entry('suite > same', processMedians(13, 1000, 0.03)),
  entry('suite > small', processMedians(16, 1084, 0.005)),
  entry('suite > noisy', processMedians(14, 1150, 0.4)),
  entry('suite > added', processMedians(15, 1000, 0.03)),
]);
const basePath = write(dir, 'base.json', baseline);
const currentPath = write(dir, 'current.json', current);

describe('compare on synthetic benchmark runs', () => {
  const report = compareFiles(basePath, currentPath);
  const verdict = (id: string) => report.comparisons.find((c) => c.id === id)?.verdict;

  it('gives each benchmark the verdict its data supports', () => {
    expect(verdict('suite > slower')).toBe('regression');
    expect(verdict('suite > faster')).toBe('improvement');
    expect(verdict('suite > same')).toBe('no-change');
    // +8.4% with a tight interval inside the 10% threshold: a real change, named as such.
    expect(verdict('suite > small')).toBe('within-threshold');
    const small = report.comparisons.find((c) => c.id === 'suite > small')!;
    expect(small.significant).toBe(true);
    expect(small.ratio).toBeGreaterThan(1.07);
    expect(report.comparisons.find((c) => c.id === 'suite > same')!.significant).toBe(false);
    expect(verdict('suite > noisy')).toBe('inconclusive');
    const noisy = report.comparisons.find((c) => c.id === 'suite > noisy')!;
    expect(noisy.detectable).toBeGreaterThan(0.2);
    expect(report.onlyBaseline).toEqual(['suite > removed']);
    expect(report.onlyCurrent).toEqual(['suite > added']);
    expect(report.summary).toEqual({
      regression: 1,
      improvement: 1,
      'within-threshold': 1,
      'no-change': 1,
      inconclusive: 1,
    });
  });

  it('lists regressions first, and estimates the change', () => {
    expect(report.comparisons.map((c) => c.verdict)).toEqual([
      'regression',
      'improvement',
      'inconclusive',
      'within-threshold',
      'no-change',
    ]);
    const slower = report.comparisons[0]!;
    expect(slower.ratio).toBeGreaterThan(1.25);
    expect(slower.ratio).toBeLessThan(1.35);
    expect(slower.unit).toMatch(/^process \(10 vs 10\)/);
  });

  it('writes the Markdown a PR comment shows', async () => {
    await expect(comparisonMarkdown(report).replaceAll(dir, '<dir>')).toMatchFileSnapshot(
      '__snapshots__/compare.md',
    );
  });
});

describe('clocks', () => {
  it('does not judge a benchmark timed with different clocks, and reads old files as wall time', () => {
    const old = benchResult([entry('suite > a', processMedians(21, 1000, 0.03))]);
    const { clock: _dropped, ...withoutClock } = old.benchmarks[0]!;
    const oldPath = write(dir, 'old.json', { ...old, benchmarks: [withoutClock] });
    const cpuPath = write(
      dir,
      'cpu.json',
      benchResult([entry('suite > a', processMedians(22, 1500, 0.03))]),
    );
    const [mixed] = compareFiles(oldPath, cpuPath).comparisons;
    expect(mixed!.verdict).toBe('inconclusive');
    expect(mixed!.note).toMatch(/wall clock in the baseline and the cpu clock now/);
    const wallPath = write(
      dir,
      'wall.json',
      benchResult([entry('suite > a', processMedians(23, 1500, 0.03), 0.1, 'wall')]),
    );
    const [same] = compareFiles(oldPath, wallPath).comparisons;
    expect(same!.verdict).toBe('regression');
    expect(same!.unit).toMatch(/wall time$/);
  });
});

describe('fiml-perf compare', () => {
  it('--ci exits 1 on a regression and writes Markdown and JSON', async () => {
    const md = join(dir, 'comment.md');
    const json = join(dir, 'report.json');
    const run = await runCli([
      'compare',
      basePath,
      currentPath,
      '--ci',
      '--markdown',
      md,
      '--json',
      json,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/suite > slower .* regression/);
    expect(readFileSync(md, 'utf8')).toMatch(/^### Benchmarks: 1 regression, 1 improvement/);
    expect(JSON.parse(readFileSync(json, 'utf8')).summary.regression).toBe(1);
  });

  it('exits 0 without a regression', async () => {
    const run = await runCli(['compare', basePath, basePath, '--ci']);
    expect(run.code).toBe(0);
  });

  it.each([
    [
      'a missing baseline',
      () => [join(dir, 'nope.json'), currentPath],
      /nope\.json does not exist/,
    ],
    [
      'a file that is not JSON',
      () => [write(dir, 'bad.json', '{"kind":'), currentPath],
      /bad\.json is not JSON/,
    ],
    [
      'a file of the wrong shape',
      () => [
        write(dir, 'shape.json', { schemaVersion: 1, kind: 'bench', benchmarks: 'x' }),
        currentPath,
      ],
      /shape\.json is not a fiml-perf benchmark result: createdAt/,
    ],
    [
      'runs from different machines',
      () => [
        write(dir, 'other.json', { ...baseline, environment: { ...ENVIRONMENT, cores: 64 } }),
        currentPath,
      ],
      /different environments \(cores 64 vs 2\).*--force/,
    ],
  ])('exits 2 with one line for %s', async (_what, args, pattern) => {
    const run = await runCli(['compare', ...args(), '--ci']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(pattern);
  });

  it('--force compares across environments and says so', async () => {
    const other = write(dir, 'forced.json', {
      ...baseline,
      environment: { ...ENVIRONMENT, node: 'v22.0.0' },
    });
    const run = await runCli(['compare', other, currentPath, '--force']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /WARNING: compared across environments \(--force\): node v22\.0\.0 vs v20\.0\.0/,
    );
  });
});
