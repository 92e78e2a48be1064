import type { Command } from 'commander';
import { z } from 'zod';
import { addOptions, flag, type OptionTable, resolveOptions } from './option-table.js';

export const trendOptions = {
  history: {
    flags: '--history <file>',
    description: 'the history that fiml-perf bench --save appends to',
    schema: z.string().min(1).default('.benchmarks/history.jsonl'),
  },
  threshold: {
    flags: '--threshold <share>',
    description: 'drift or change past which a benchmark is flagged, as 10% or 0.1',
    schema: flag.share(0.001, 10, 0.1),
  },
  ci: {
    flags: '--ci',
    description: 'exit 1 when any benchmark is flagged',
    schema: flag.bool(false),
  },
} satisfies OptionTable;

export function registerTrend(command: Command): void {
  command
    .argument('[filter...]', 'only benchmarks whose name contains one of these')
    .addHelpText(
      'after',
      '\nExample:\n  fiml-perf trend --threshold 10%\n\nDocs: docs/regression.md',
    );
  addOptions(command, trendOptions).action(
    async (filters: string[], raw: Record<string, unknown>) => {
      const options = resolveOptions(trendOptions, raw);
      const { runTrendJob } = await import('../jobs/index.js');
      process.exitCode = await runTrendJob({ ...options, filters });
    },
  );
}
