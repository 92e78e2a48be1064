import { EXIT, type ExitCode } from '../exit-codes.js';
import { textTable } from '../util/text-table.js';

/** `trend`: each benchmark across the saved runs of its history. */
export interface TrendJob {
  /** The history `bench --save` appends to. */
  readonly history: string;
  /** Drift or change past which a benchmark is flagged, as a fraction. */
  readonly threshold: number;
  /** Exit 1 when any benchmark is flagged. */
  readonly ci: boolean;
  readonly filters: readonly string[];
}

const pct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`;

/** Prints each benchmark's drift and change point, and returns the exit code. */
export async function runTrendJob(job: TrendJob): Promise<ExitCode> {
  const [{ formatNs, matches }, { readHistory, trends }] = await Promise.all([
    import('../bench/index.js'),
    import('../regress/index.js'),
  ]);
  const history = readHistory(job.history);
  if (history.cutShort !== null)
    process.stderr.write(
      `WARNING: ${job.history}:${history.cutShort} is cut short (a save interrupted while it was written); skipped it\n`,
    );
  const all = trends(history.entries, job.threshold).filter((t) => matches(job.filters, '', t.id));
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
    `\n${flagged} of ${all.length} benchmarks flagged (drift: last 3 saves over first 3; threshold ${job.threshold * 100}%)\n`,
  );
  return job.ci && flagged > 0 ? EXIT.failed : EXIT.ok;
}
