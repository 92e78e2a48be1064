import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import type { BenchEntry, BenchResult } from '../bench/index.js';
import { PerfError } from '../errors.js';
import { EXIT } from './exit-codes.js';
import { addOptions, flag, type OptionTable, resolveOptions } from './option-table.js';

export const benchOptions = {
  dir: {
    flags: '--dir <path>',
    description: 'folder searched for *.bench.ts files',
    schema: z.string().min(1).default('bench'),
  },
  time: {
    flags: '--time <ms>',
    description: 'sampling time per benchmark after warm-up, in ms',
    schema: flag.int(50, 600_000, 1000),
  },
  processes: {
    flags: '--processes <k>',
    description: 'run every benchmark in K fresh Node processes (the unit of sample for compare)',
    schema: flag.int(1, 100, 1),
  },
  json: {
    flags: '--json <file>',
    description: 'write the versioned result here',
    schema: z.string().min(1).optional(),
  },
  save: {
    flags: '--save <name>',
    description:
      'write the result to .benchmarks/NAME.json and append it to .benchmarks/history.jsonl',
    schema: z
      .string()
      .regex(/^[\w.-]+$/, 'expected a name of letters, digits, dot, dash or underscore')
      .optional(),
  },
  profile: {
    flags: '--profile',
    description:
      'profile the matching benchmarks instead of measuring them: each runs --time ms under the CPU profiler; writes a folder (cpu.cpuprofile, flamegraph.html, stacks.folded, profile.json) and prints the hot functions',
    schema: flag.bool(false),
  },
  out: {
    flags: '-o, --out <dir>',
    description: 'with --profile: the folder (default: reports/<timestamp>/profile-bench)',
    schema: z.string().min(1).optional(),
  },
  quiet: {
    flags: '-q, --quiet',
    description: 'print nothing but errors',
    schema: flag.bool(false),
  },
} satisfies OptionTable;

/** Nanoseconds as the table shows them: 12.3 ns, 4.56 us, 7.89 ms. */
export function formatNs(ns: number): string {
  if (ns < 1_000) return `${ns.toFixed(ns < 10 ? 2 : 1)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(2)} us`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

function line(entry: BenchEntry): string {
  const s = entry.stats;
  const outliers = s.outliers.low + s.outliers.high;
  return [
    entry.id.padEnd(64),
    entry.clock.padStart(5),
    formatNs(s.median).padStart(10),
    `±${s.rme.toFixed(1)}%`.padStart(7),
    formatNs(s.p99).padStart(10),
    `${Math.round(s.opsPerSec).toLocaleString('en-US')}/s`.padStart(14),
    String(s.samples).padStart(6),
    outliers ? `  ${outliers} outlier${outliers > 1 ? 's' : ''}` : '',
  ].join(' ');
}

export const BENCH_HEADER = `${'benchmark'.padEnd(64)} ${'clock'.padStart(5)} ${'median'.padStart(10)} ${'rme'.padStart(7)} ${'p99'.padStart(10)} ${'ops'.padStart(14)} ${'n'.padStart(6)}`;

/** Writes the result where asked; `--save` also appends a line to the history. */
async function persist(
  result: BenchResult,
  json: string | undefined,
  save: string | undefined,
): Promise<string[]> {
  const { writeFileAtomic } = await import('../report/index.js');
  const written: string[] = [];
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (json) {
    writeFileAtomic(json, text);
    written.push(json);
  }
  if (save) {
    const path = `.benchmarks/${save}.json`;
    writeFileAtomic(path, text);
    mkdirSync(dirname(path), { recursive: true });
    const summary = {
      savedAt: result.createdAt,
      name: save,
      commit: result.environment.gitCommit,
      medians: Object.fromEntries(result.benchmarks.map((b) => [b.id, b.stats.median])),
    };
    appendFileSync('.benchmarks/history.jsonl', `${JSON.stringify(summary)}\n`);
    written.push(path, '.benchmarks/history.jsonl');
  }
  return written;
}

export function registerBench(command: Command): void {
  command
    .argument('[filter...]', 'run only benchmarks whose file path or name contains one of these')
    .addHelpText(
      'after',
      `
Examples:
  fiml-perf bench                          every benchmark, 1 s each
  fiml-perf bench cache dsl --time 500     those whose path or name has "cache" or "dsl"
  fiml-perf bench --processes 5 --save baseline
  fiml-perf compare .benchmarks/baseline.json current.json
  fiml-perf bench dsl --profile --time 3000 where the dsl benchmarks spend their time

Docs: docs/bench.md`,
    );
  addOptions(command, benchOptions).action(
    async (filters: string[], raw: Record<string, unknown>) => {
      const options = resolveOptions(benchOptions, raw);
      if (!existsSync(options.dir))
        throw new PerfError(
          'FP_ERR_BENCH',
          `no benchmark folder ${options.dir}; pass --dir or create ${options.dir}/*.bench.ts`,
        );
      if (options.profile) {
        process.exitCode = await profileBench(options, filters);
        return;
      }
      if (options.out)
        throw new PerfError(
          'FP_ERR_INVALID_FLAG',
          '-o/--out names the folder of --profile; for the measured result use --json or --save',
        );
      const print = (text: string) => {
        if (!options.quiet) process.stdout.write(`${text}\n`);
      };
      print(BENCH_HEADER);
      const { BenchError, runBenchmarks } = await import('../bench/index.js');
      let result: BenchResult;
      try {
        result = await runBenchmarks({
          root: options.dir,
          filters,
          timeMs: options.time,
          processes: options.processes,
          onEntry: (entry) => {
            print(line(entry));
            for (const warning of entry.warnings) print(`  warning: ${warning}`);
          },
        });
      } catch (error) {
        if (error instanceof BenchError) throw new PerfError('FP_ERR_BENCH', error.message);
        throw error;
      }
      if (result.benchmarks.length === 0)
        throw new PerfError(
          'FP_ERR_BENCH',
          `no benchmark matches ${filters.join(', ') || '(none)'} in ${options.dir}`,
        );
      for (const path of await persist(result, options.json, options.save)) print(`wrote ${path}`);
      process.exitCode = EXIT.ok;
    },
  );
}

/** `bench --profile`: the matching benchmarks profiled in process instead of measured. */
async function profileBench(
  options: { readonly dir: string; readonly time: number; readonly out: string | undefined } & {
    readonly json: string | undefined;
    readonly save: string | undefined;
    readonly processes: number;
  },
  filters: readonly string[],
): Promise<number> {
  if (options.json || options.save || options.processes > 1)
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      '--profile profiles the benchmarks instead of measuring them (a profiler changes the timings); drop --json, --save and --processes, or run without --profile',
    );
  // Source maps on before the benchmarks load: frames then map to their .ts lines.
  process.setSourceMapsEnabled(true);
  const { BenchError, loadBenchmarks } = await import('../bench/index.js');
  let found: Awaited<ReturnType<typeof loadBenchmarks>>;
  try {
    found = await loadBenchmarks(options.dir, filters);
  } catch (error) {
    if (error instanceof BenchError) throw new PerfError('FP_ERR_BENCH', error.message);
    throw error;
  }
  if (found.length === 0)
    throw new PerfError(
      'FP_ERR_BENCH',
      `no benchmark matches ${filters.join(', ') || '(none)'} in ${options.dir}`,
    );
  const { profileBenchmarks } = await import('./profile-job.js');
  return profileBenchmarks(found, {
    label: 'bench',
    out: options.out,
    timeMs: options.time,
    samplingIntervalUs: 1000,
    top: 15,
  });
}
