import { PerfError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { ComparisonReport } from '../regress/index.js';

/**
 * `compare` and `ab`: prints the table, writes the Markdown and JSON asked for, and returns the
 * exit code (1 with --ci when a regression was found). @throws PerfError FP_ERR_WRITE
 */
export async function reportComparison(
  comparison: ComparisonReport,
  options: { markdown?: string | undefined; json?: string | undefined; ci: boolean },
): Promise<ExitCode> {
  const [{ comparisonMarkdown, comparisonTable }, { writeFileAtomic }] = await Promise.all([
    import('../regress/index.js'),
    import('../util/atomic-write.js'),
  ]);
  process.stdout.write(`${comparisonTable(comparison)}\n`);
  const write = (path: string, text: string) => {
    try {
      writeFileAtomic(path, text);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      throw new PerfError(
        'FP_ERR_WRITE',
        `cannot write ${path} (${e.code ?? e.message}); pick a writable path`,
      );
    }
  };
  if (options.markdown) write(options.markdown, comparisonMarkdown(comparison));
  if (options.json) write(options.json, `${JSON.stringify(comparison, null, 2)}\n`);
  return options.ci && comparison.summary.regression > 0 ? EXIT.failed : EXIT.ok;
}
