import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { PerfError } from '../errors.js';
import { addOptions, type OptionTable, resolveOptions } from './option-table.js';

const reportOptions = {
  out: {
    flags: '-o, --out <file>',
    description: 'the HTML file to write (default: report.html beside the first result)',
    schema: z.string().min(1).optional(),
  },
  baseline: {
    flags: '--baseline <file>',
    description:
      "a result to compare with: compare's verdicts, and its series drawn under the current ones",
    schema: z.string().min(1).optional(),
  },
  profile: {
    flags: '--profile <dir>',
    description:
      'a fiml-perf profile folder: its diagnosis, leak verdict and hot functions in "Bottlenecks and recommendations", with its flame graph linked',
    schema: z.string().min(1).optional(),
  },
  markdown: {
    flags: '--markdown <file>',
    description: 'also write the same story in Markdown (for a PR comment)',
    schema: z.string().min(1).optional(),
  },
} satisfies OptionTable;

export function registerReport(command: Command): void {
  command
    .argument(
      '<result...>',
      'result JSON files: load results (load, run, stress, targets) or bench --json',
    )
    .addHelpText(
      'after',
      `
Builds one self-contained HTML file (charts, tables, analysis; works offline) from stored results.
fiml-perf run, load --html, stress and targets write one after each run already.

Examples:
  fiml-perf report reports/latest/result.json -o report.html
  fiml-perf report new.json --baseline old.json --markdown report.md
  fiml-perf report run.json --profile reports/<ts>/profile   the profile's diagnosis and hot functions
  fiml-perf report bench.json --baseline bench/baseline.json

Docs: docs/report.md`,
    );
  addOptions(command, reportOptions).action(
    async (paths: string[], raw: Record<string, unknown>) => {
      const flags = resolveOptions(reportOptions, raw);
      const [{ buildReportFromFiles }, { writeFileAtomic }] = await Promise.all([
        import('../report/html/index.js'),
        import('../util/atomic-write.js'),
      ]);
      const out = flags.out ?? join(dirname(paths[0] as string), 'report.html');
      const built = buildReportFromFiles(
        paths,
        flags.baseline,
        flags.profile ? { dir: flags.profile, reportPath: out } : undefined,
      );
      try {
        writeFileAtomic(out, built.html);
        if (flags.markdown) writeFileAtomic(flags.markdown, built.markdown);
      } catch (error) {
        throw new PerfError(
          'FP_ERR_WRITE',
          `cannot write ${out}: ${(error as Error).message}; pick a writable -o`,
        );
      }
      process.stderr.write(
        `Report: ${out}${flags.markdown ? `, Markdown: ${flags.markdown}` : ''} (${Math.round(built.html.length / 1024)} KB)\n`,
      );
    },
  );
}
