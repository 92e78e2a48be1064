import type { Command } from 'commander';
import { reportOptions } from './comparison-options.js';
import { addOptions, flag, type OptionTable, resolveOptions } from './option-table.js';

export const compareOptions = {
  threshold: {
    flags: '--threshold <share>',
    description:
      "change past which a slowdown is a regression, as 10% or 0.1 (default: each benchmark's own, 10%)",
    schema: flag.optionalShare(0.001, 10),
  },
  errorThreshold: {
    flags: '--error-threshold <share>',
    description:
      'load tests: error-rate rise past which it is a regression, in points, as 1% or 0.01',
    schema: flag.share(0.0001, 1, 0.01),
  },
  alpha: {
    flags: '--alpha <share>',
    description: 'false-discovery rate across the suite (Benjamini-Hochberg), as 5% or 0.05',
    schema: flag.share(0.0001, 0.5, 0.05),
  },
  ...reportOptions,
  force: {
    flags: '--force',
    description: 'compare benchmark runs from different environments (CPU, cores, Node, V8, flags)',
    schema: flag.bool(false),
  },
} satisfies OptionTable;

export function registerCompare(command: Command): void {
  command
    .argument(
      '<baseline>',
      'a result of fiml-perf bench (--json/--save) or fiml-perf load (--json)',
    )
    .argument('<current>', 'a result of the same kind to judge against the baseline')
    .addHelpText(
      'after',
      `
Examples:
  fiml-perf compare bench/baseline.json current.json --markdown comment.md --ci
  fiml-perf compare before.json after.json --threshold 5%       load-test results

Docs: docs/regression.md`,
    );
  addOptions(command, compareOptions).action(
    async (baseline: string, current: string, raw: Record<string, unknown>) => {
      const options = resolveOptions(compareOptions, raw);
      const { compareFiles } = await import('../regress/index.js');
      const comparison = compareFiles(baseline, current, {
        threshold: options.threshold,
        alpha: options.alpha,
        force: options.force,
        errorThreshold: options.errorThreshold,
      });
      process.exitCode = await (await import('../jobs/index.js')).reportComparison(
        comparison,
        options,
      );
    },
  );
}
