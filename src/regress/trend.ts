import { readFileSync } from 'node:fs';
import { median } from '../bench/index.js';
import { RegressError } from './read-result.js';
import { hodgesLehmann } from './statistics.js';

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

/** Reads the history file. @throws RegressError */
export function readHistory(path: string): HistoryEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new RegressError(`${path} does not exist; 'fiml-perf bench --save NAME' appends to it`);
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        const entry = JSON.parse(line) as HistoryEntry;
        if (typeof entry.medians !== 'object' || entry.medians === null)
          throw new Error('no medians');
        return entry;
      } catch (error) {
        throw new RegressError(
          `${path}:${i + 1} is not a history entry (${(error as Error).message})`,
        );
      }
    });
}

/**
 * Each benchmark's history, with its drift and its most likely change point: the split whose
 * before and after levels differ most significantly (Mann-Whitney on log medians). Flags a
 * benchmark when the drift or the change exceeds the threshold, even if no single save did.
 */
export function trends(history: readonly HistoryEntry[], threshold = 0.1, alpha = 0.05): Trend[] {
  const ids = [...new Set(history.flatMap((h) => Object.keys(h.medians)))].sort();
  return ids.map((id) => {
    const points = history
      .filter((h) => typeof h.medians[id] === 'number')
      .map((h) => ({ savedAt: h.savedAt, commit: h.commit, median: h.medians[id] as number }));
    const values = points.map((p) => p.median);
    const window = Math.min(3, Math.floor(values.length / 2));
    const drift = window > 0 ? median(values.slice(-window)) / median(values.slice(0, window)) : 1;
    let changePoint: Trend['changePoint'] = null;
    for (let k = 2; k <= values.length - 2; k++) {
      const shift = hodgesLehmann(values.slice(0, k).map(Math.log), values.slice(k).map(Math.log));
      if (!changePoint || shift.p < changePoint.p)
        changePoint = {
          index: k,
          commit: points[k]?.commit ?? null,
          ratio: Math.exp(shift.estimate),
          p: shift.p,
        };
    }
    if (changePoint && changePoint.p >= alpha) changePoint = null;
    const beyond = (ratio: number) => Math.abs(Math.log(ratio)) > Math.log1p(threshold);
    return {
      id,
      points,
      drift,
      changePoint,
      flagged: beyond(drift) || (changePoint !== null && beyond(changePoint.ratio)),
    };
  });
}
