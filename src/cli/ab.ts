import type { Command } from 'commander';
import { z } from 'zod';

import { reportOptions } from './comparison-options.js';
import { addOptions, flag, type OptionTable, resolveOptions } from './option-table.js';

export const abOptions = {
  base: {
    flags: '--base <ref>',
    description: 'git ref to compare the working tree with, such as main or HEAD~1',
    schema: z.string({ error: 'expected a git ref: fiml-perf ab --base main' }).min(1),
  },
  processes: {
    flags: '--processes <k>',
    description: 'most fresh processes per side (A B B A ...)',
    schema: flag.int(3, 100, 10),
  },
  minProcesses: {
    flags: '--min-processes <k>',
    description: 'processes per side before stopping early once every verdict is clear',
    schema: flag.int(3, 100, 5),
  },
  time: {
    flags: '--time <ms>',
    description: 'sampling time per benchmark and process',
    schema: flag.int(50, 600_000, 300),
  },
  dir: {
    flags: '--dir <path>',
    description: 'benchmark folder, in both trees',
    schema: z.string().min(1).default('bench'),
  },
  threshold: {
    flags: '--threshold <share>',
    description:
      "change past which a slowdown is a regression, as 10% or 0.1 (default: each benchmark's own)",
    schema: flag.optionalShare(0.001, 10),
  },
  ...reportOptions,
} satisfies OptionTable;

export function registerAb(command: Command): void {
  command
    .argument('[filter...]', 'only benchmarks whose file path or name contains one of these')
    .addHelpText(
      'after',
      `
Example:
  fiml-perf ab --base main --markdown comment.md --ci

Both trees are built (the base in a temporary git worktree) and run A B B A ... in fresh processes
until every verdict is clear or --processes is reached. Docs: docs/regression.md`,
    );
  addOptions(command, abOptions).action(async (filters: string[], raw: Record<string, unknown>) => {
    const options = resolveOptions(abOptions, raw);
    const { runAbJob } = await import('../jobs/index.js');
    process.exitCode = await runAbJob({
      base: options.base,
      dir: options.dir,
      filters,
      timeMs: options.time,
      maxProcesses: options.processes,
      minProcesses: options.minProcesses,
      threshold: options.threshold,
      report: options,
    });
  });
}
