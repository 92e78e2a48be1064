import type { Command } from 'commander';
import { z } from 'zod';
import { EXIT } from '../exit-codes.js';
import { textTable } from '../util/text-table.js';
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

const pct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`;

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
      const [{ formatNs, matches }, { readHistory, trends }] = await Promise.all([
        import('../bench/index.js'),
        import('../regress/index.js'),
      ]);
      const all = trends(readHistory(options.history), options.threshold).filter((t) =>
        matches(filters, '', t.id),
      );
      const rows = all.map((t) => [
        t.id,
        String(t.points.length),
        formatNs(t.points[0]?.median ?? 0),
        formatNs(t.points.at(-1)?.median ?? 0),
        pct(t.drift),
        t.changePoint
          ? `${pct(t.changePoint.ratio)} at save ${t.changePoint.index + 1}${t.changePoint.commit ? ` (${t.changePoint.commit.slice(0, 8)})` : ''}`
          : '-',
        t.flagged ? 'FLAGGED' : 'ok',
      ]);
      const header = ['benchmark', 'saves', 'first', 'last', 'drift', 'change point', ''];
      process.stdout.write(`${textTable(header, rows, { left: (i) => i === 0 })}\n`);
      const flagged = all.filter((t) => t.flagged).length;
      process.stdout.write(
        `\n${flagged} of ${all.length} benchmarks flagged (drift: last 3 saves over first 3; threshold ${options.threshold * 100}%)\n`,
      );
      process.exitCode = options.ci && flagged > 0 ? EXIT.failed : EXIT.ok;
    },
  );
}
