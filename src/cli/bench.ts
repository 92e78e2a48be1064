import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { PerfError } from '../errors.js';
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
      const { runBenchJob } = await import('../jobs/index.js');
      process.exitCode = await runBenchJob({
        dir: options.dir,
        filters,
        timeMs: options.time,
        processes: options.processes,
        json: options.json,
        save: options.save,
        quiet: options.quiet,
      });
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
  const { runBenchProfile } = await import('../jobs/index.js');
  return runBenchProfile(options.dir, filters, {
    out: options.out,
    timeMs: options.time,
    samplingIntervalUs: 1000,
    top: 15,
  });
}
