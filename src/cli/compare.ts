import type { Command } from 'commander';
import { z } from 'zod';
import { PerfError } from '../errors.js';
import type { ComparisonReport } from '../regress/index.js';
import { EXIT } from './exit-codes.js';
import { addOptions, flag, type OptionTable, resolveOptions } from './option-table.js';

/** How a comparison is written and what it exits with; shared by compare and ab. */
export const reportOptions = {
  markdown: {
    flags: '--markdown <file>',
    description: 'write Markdown for a PR comment',
    schema: z.string().min(1).optional(),
  },
  json: {
    flags: '--json <file>',
    description: 'write the comparison as JSON',
    schema: z.string().min(1).optional(),
  },
  ci: {
    flags: '--ci',
    description: 'exit 1 when any regression is found',
    schema: flag.bool(false),
  },
} satisfies OptionTable;

/** Prints the table, writes what was asked for, and returns the exit code. */
export async function report(
  comparison: ComparisonReport,
  options: { markdown?: string | undefined; json?: string | undefined; ci: boolean },
): Promise<number> {
  const [{ comparisonMarkdown, comparisonTable }, { writeFileAtomic }] = await Promise.all([
    import('../regress/index.js'),
    import('../report/index.js'),
  ]);
  process.stdout.write(`${comparisonTable(comparison)}\n`);
  if (options.markdown) writeFileAtomic(options.markdown, comparisonMarkdown(comparison));
  if (options.json) writeFileAtomic(options.json, `${JSON.stringify(comparison, null, 2)}\n`);
  return options.ci && comparison.summary.regression > 0 ? EXIT.failed : EXIT.ok;
}

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
      const { compareFiles, RegressError } = await import('../regress/index.js');
      let comparison: ComparisonReport;
      try {
        comparison = compareFiles(baseline, current, {
          threshold: options.threshold,
          alpha: options.alpha,
          force: options.force,
          errorThreshold: options.errorThreshold,
        });
      } catch (error) {
        if (error instanceof RegressError) throw new PerfError('FP_ERR_BASELINE', error.message);
        throw error;
      }
      process.exitCode = await report(comparison, options);
    },
  );
}
