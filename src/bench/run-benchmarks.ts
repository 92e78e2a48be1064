import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { PerfError } from '../errors.js';
import { firstLine, importUserModule, locateError } from '../util/import-module.js';
import { currentEnvironment } from './environment.js';
import { type BenchDefinition, collect } from './registry.js';
import { BENCH_SCHEMA_VERSION, type BenchEntry, type BenchResult } from './result.js';
import { median, summarize } from './sample-stats.js';
import { DEFAULT_SAMPLER, type SamplerOptions, sampleBenchmark } from './sampler.js';

/** A benchmark file that cannot load, or a benchmark that throws. */
export class BenchError extends PerfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FP_ERR_BENCH', message, options);
    this.name = 'BenchError';
  }
}

const BENCH_FILE = /\.bench\.(ts|mts|js|mjs)$/;

/** Every `*.bench.ts` (or .js) under `root`, sorted. */
export function discoverBenchFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (BENCH_FILE.test(name)) out.push(path);
    }
  };
  walk(root);
  return out;
}

/** Whether a benchmark passes the filters: each is a substring of its file path or id (any case). */
export function matches(filters: readonly string[], file: string, id: string): boolean {
  if (filters.length === 0) return true;
  const haystack = `${file}\n${id}`.toLowerCase();
  return filters.some((f) => haystack.includes(f.toLowerCase()));
}

/** Loads the benchmark files and returns the benchmarks that pass the filters. @throws BenchError */
export async function loadBenchmarks(
  root: string,
  filters: readonly string[],
): Promise<BenchDefinition[]> {
  const found: BenchDefinition[] = [];
  for (const path of discoverBenchFiles(root)) {
    const file = relative(process.cwd(), path) || path;
    try {
      const defined = await collect(file, () => importUserModule(resolve(path)));
      found.push(...defined.filter((d) => matches(filters, file, d.id)));
    } catch (error) {
      const err = error as Error;
      throw new BenchError(`${locateError(err, resolve(path))}: ${firstLine(err, resolve(path))}`);
    }
  }
  return found;
}

export interface RunBenchOptions {
  readonly root: string;
  readonly filters: readonly string[];
  readonly timeMs: number;
  readonly processes: number;
  readonly onEntry?: (entry: BenchEntry) => void;
}

/** How long an empty function takes here, to flag benchmarks that measure nothing. */
async function emptyBaseline(sampler: SamplerOptions): Promise<{ median: number; mad: number }> {
  const empty: BenchDefinition = {
    group: '',
    name: 'empty',
    id: 'empty',
    file: '',
    fn: () => undefined,
    options: {},
  };
  const { samples } = await sampleBenchmark(
    empty,
    { ...sampler, timeMs: 200, warmupMs: 100 },
    undefined,
  );
  const stats = summarize(samples);
  return { median: stats.median, mad: stats.mad };
}

/** Runs the benchmarks in this process. @throws BenchError when a benchmark throws */
export async function runInProcess(
  definitions: readonly BenchDefinition[],
  timeMs: number,
  onEntry?: (entry: BenchEntry) => void,
): Promise<BenchEntry[]> {
  const sampler = { ...DEFAULT_SAMPLER, timeMs };
  const empty = await emptyBaseline(sampler);
  const entries: BenchEntry[] = [];
  for (const definition of definitions) {
    let sampled: Awaited<ReturnType<typeof sampleBenchmark>>;
    try {
      const context = await definition.options.setup?.();
      sampled = await sampleBenchmark(definition, sampler, context);
      await definition.options.teardown?.(context);
    } catch (error) {
      throw new BenchError(
        `benchmark '${definition.id}' (${definition.file}) threw: ${(error as Error).message}`,
      );
    }
    const stats = summarize(sampled.samples);
    const warnings: string[] = [];
    if (stats.median <= empty.median + Math.max(2 * empty.mad, 0.5))
      warnings.push(
        `indistinguishable from an empty function (${stats.median.toFixed(2)} ns vs ${empty.median.toFixed(2)} ns): the work may have been optimised away; return its result or pass it to doNotOptimize`,
      );
    if (stats.rme > 10) warnings.push(`noisy: margin of error ${stats.rme.toFixed(1)}%`);
    const entry: BenchEntry = {
      id: definition.id,
      group: definition.group,
      name: definition.name,
      file: definition.file,
      threshold: definition.options.threshold ?? 0.1,
      iterationsPerSample: sampled.iterationsPerSample,
      clock: sampled.clock,
      stats,
      processMedians: [stats.median],
      samples: sampled.samples,
      warnings,
    };
    entries.push(entry);
    onEntry?.(entry);
  }
  return entries;
}

/** One side of a process-level comparison: which fiml-perf to run, where, with what env. */
export interface BenchSide {
  /** The fiml-perf CLI script (bin/fiml-perf.js, or src/cli/main.ts under tsx). */
  readonly cli: string;
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The Node flags every benchmark process gets: GC between samples, and all GC work on the timed
 * thread, so that the CPU clock (the process's CPU time) does not also count GC helper threads
 * still sweeping after the last sample's collection.
 */
export const BENCH_PROCESS_FLAGS = ['--expose-gc', '--single-threaded-gc'] as const;

/**
 * This process's Node flags for a benchmark child: without BENCH_PROCESS_FLAGS (added back once), and
 * without tsx's loader when the child runs built JavaScript (it changes nothing but start-up).
 */
function childFlags(cli: string): string[] {
  const out: string[] = [];
  const flags = process.execArgv;
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i] as string;
    if ((BENCH_PROCESS_FLAGS as readonly string[]).includes(flag)) continue;
    if (cli.endsWith('.js') && flag === '--import' && flags[i + 1] === 'tsx') {
      i++;
      continue;
    }
    if (cli.endsWith('.js') && flag === '--import=tsx') continue;
    out.push(flag);
  }
  return out;
}

/** Runs `fiml-perf bench` once in a fresh process and returns its result. @throws BenchError */
export function runBenchProcess(
  side: BenchSide,
  options: Omit<RunBenchOptions, 'processes' | 'onEntry'>,
): BenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-bench-'));
  const json = join(dir, 'result.json');
  try {
    const args = [
      ...childFlags(side.cli),
      ...BENCH_PROCESS_FLAGS,
      side.cli,
      'bench',
      ...options.filters,
      '--dir',
      options.root,
      '--time',
      String(options.timeMs),
      '--processes',
      '1',
      '--json',
      json,
      '--quiet',
    ];
    const child = spawnSync(process.execPath, args, {
      cwd: side.cwd,
      env: { ...process.env, ...side.env },
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    if (child.status !== 0)
      throw new BenchError(
        `a benchmark process in ${side.cwd} failed: ${child.stderr.trim().split('\n').at(-1)}`,
      );
    return JSON.parse(readFileSync(json, 'utf8')) as BenchResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const NOISY = /^noisy: margin of error ([\d.]+)%$/;

/** One warning of each kind across processes; the noisy ones as one line with the worst. */
function mergeWarnings(perProcess: readonly (readonly string[])[]): string[] {
  const margins = perProcess.flatMap((w) =>
    w.flatMap((text) => {
      const m = NOISY.exec(text);
      return m ? [Number(m[1])] : [];
    }),
  );
  const other = [...new Set(perProcess.flat().filter((w) => !NOISY.test(w)))];
  if (margins.length === 0) return other;
  const worst = Math.max(...margins).toFixed(1);
  return [
    ...other,
    `noisy in ${margins.length} of ${perProcess.length} processes: margin of error up to ${worst}%`,
  ];
}

/** Merges single-process runs of the same benchmarks: per-process medians, pooled samples. */
export function mergeRuns(
  runs: readonly BenchResult[],
  onEntry?: (entry: BenchEntry) => void,
): BenchEntry[] {
  const first = runs[0] as BenchResult;
  return first.benchmarks.map((b) => {
    const all = runs
      .map((r) => r.benchmarks.find((x) => x.id === b.id))
      .filter((x) => x !== undefined);
    const samples = all.flatMap((x) => x.samples);
    const entry: BenchEntry = {
      ...b,
      stats: summarize(samples),
      processMedians: all.map((x) => median(x.samples)),
      samples,
      warnings: mergeWarnings(all.map((x) => x.warnings)),
    };
    onEntry?.(entry);
    return entry;
  });
}

/** Runs every benchmark in `processes` fresh Node processes, one after another, and merges them. */
function runInProcesses(options: RunBenchOptions): BenchEntry[] {
  const side = { cli: process.argv[1] as string, cwd: process.cwd() };
  const runs = Array.from({ length: options.processes }, () => runBenchProcess(side, options));
  return mergeRuns(runs, options.onEntry);
}

/** Runs the selected benchmarks and returns the versioned result. @throws BenchError */
export async function runBenchmarks(options: RunBenchOptions): Promise<BenchResult> {
  const benchmarks =
    options.processes > 1
      ? runInProcesses(options)
      : await runInProcess(
          await loadBenchmarks(options.root, options.filters),
          options.timeMs,
          options.onEntry,
        );
  return {
    schemaVersion: BENCH_SCHEMA_VERSION,
    kind: 'bench',
    createdAt: new Date().toISOString(),
    environment: currentEnvironment(
      options.processes > 1 ? [...BENCH_PROCESS_FLAGS] : process.execArgv,
    ),
    config: { processes: options.processes, timeMs: options.timeMs, filter: options.filters },
    benchmarks,
  };
}
