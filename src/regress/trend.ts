import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { median } from '../bench/index.js';
import { changePoint } from './change-point.js';
import { RegressError } from './read-result.js';

/** One line of .benchmarks/history.jsonl, as `fiml-perf bench --save` appends it. */
export interface HistoryEntry {
  readonly savedAt: string;
  readonly name: string;
  readonly commit: string | null;
  /** Median ns per iteration, by benchmark id. */
  readonly medians: Readonly<Record<string, number>>;
}

export interface Trend {
  readonly id: string;
  readonly points: readonly {
    readonly savedAt: string;
    readonly commit: string | null;
    readonly median: number;
  }[];
  /** Median of the last three saves over the median of the first three. */
  readonly drift: number;
  /** The split that best separates an earlier level from a later one, if it is significant. */
  readonly changePoint: {
    readonly index: number;
    readonly commit: string | null;
    readonly ratio: number;
    readonly p: number;
  } | null;
  readonly flagged: boolean;
}

/** A median as `bench --save` writes it: nanoseconds per iteration, above 0 (trend takes its log). */
const isMedian = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;

/**
 * One line of the history. The medians are checked in a loop, naming the first bad one: a
 * history of every benchmark over a year holds hundreds of thousands.
 */
const entrySchema = z
  .object({
    savedAt: z.string(),
    name: z.string(),
    commit: z.string().nullable(),
    medians: z
      .custom<Record<string, unknown>>(
        (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
        { error: 'expected an object of medians by benchmark' },
      )
      .superRefine((medians, context) => {
        for (const id in medians)
          if (!isMedian(medians[id])) {
            context.addIssue({
              code: 'custom',
              path: [id],
              message: `expected a median in ns above 0, got ${JSON.stringify(medians[id]) ?? String(medians[id])}`,
            });
            return;
          }
      }),
  })
  .passthrough();

/** The saves of a history, and the last line when an interrupted save left it cut short. */
export interface History {
  readonly entries: HistoryEntry[];
  /** The line number (as written, from 1) of a last line cut short, which was skipped. */
  readonly cutShort: number | null;
}

/**
 * Reads the history file. Lines are numbered as written (blank lines count). A last line that is
 * not JSON and has no newline after it is what a save interrupted while appending leaves: it is
 * skipped, and `cutShort` says which; any other bad line is refused (issue 25).
 * @throws RegressError naming the line
 */
export function readHistory(path: string): History {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RegressError(
      code === 'ENOENT'
        ? `${path} does not exist; 'fiml-perf bench --save NAME' appends to it`
        : `cannot read ${path}: ${(error as Error).message}`,
    );
  }
  const lines = text.split('\n');
  const entries: HistoryEntry[] = [];
  let cutShort: number | null = null;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (error) {
      // `bench --save` appends a line and its newline in one write: a line without one is a
      // write that did not finish.
      if (i === lines.length - 1) {
        cutShort = i + 1;
        return;
      }
      throw new RegressError(
        `${path}:${i + 1} is not a history entry (not JSON: ${(error as Error).message}); fix or delete the line`,
      );
    }
    const parsed = entrySchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RegressError(
        `${path}:${i + 1} is not a history entry: ${issue?.path.join('.') || '(top level)'}: ${issue?.message}; fix or delete the line`,
      );
    }
    entries.push(parsed.data as HistoryEntry);
  });
  return { entries, cutShort };
}

/**
 * Each benchmark's history, with its drift and its most likely change point: the split whose
 * before and after levels differ most significantly (Mann-Whitney on log medians). Flags a
 * benchmark when the drift or the change exceeds the threshold, even if no single save did.
 */
export function trends(history: readonly HistoryEntry[], threshold = 0.1, alpha = 0.05): Trend[] {
  // One pass over the history, not one per benchmark: a year of 2,000 benchmarks is 730,000 medians.
  const byId = new Map<string, Trend['points'][number][]>();
  for (const h of history)
    for (const id in h.medians) {
      const point = { savedAt: h.savedAt, commit: h.commit, median: h.medians[id] as number };
      const points = byId.get(id);
      if (points) points.push(point);
      else byId.set(id, [point]);
    }
  const beyond = (ratio: number) => Math.abs(Math.log(ratio)) > Math.log1p(threshold);
  return [...byId.keys()].sort().map((id) => {
    const points = byId.get(id) as Trend['points'][number][];
    const values = points.map((p) => p.median);
    const window = Math.min(3, Math.floor(values.length / 2));
    const drift = window > 0 ? median(values.slice(-window)) / median(values.slice(0, window)) : 1;
    const split = changePoint(values.map(Math.log));
    const change: Trend['changePoint'] =
      split && split.p < alpha
        ? {
            index: split.index,
            commit: points[split.index]?.commit ?? null,
            ratio: Math.exp(split.shift),
            p: split.p,
          }
        : null;
    return {
      id,
      points,
      drift,
      changePoint: change,
      flagged: beyond(drift) || (change !== null && beyond(change.ratio)),
    };
  });
}
