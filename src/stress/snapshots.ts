import { createHistogram, type Histogram, type StatsRecorder } from '../stats/index.js';

interface Snapshot {
  /** Seconds since the run started. */
  readonly t: number;
  readonly histogram: Histogram;
  readonly requests: number;
  readonly failures: number;
}

/** Latency and errors of a stretch of a run. */
export interface Stretch {
  readonly requests: number;
  readonly failures: number;
  /** ms; null without requests. */
  readonly p95Ms: number | null;
}

/**
 * The run's total histogram copied once a second, so any stretch of the run (between two
 * seconds) has exact percentiles: the later copy less the earlier. About 90 KB a second.
 */
export class SecondSnapshots {
  readonly #list: Snapshot[] = [];

  readonly onTick = (recorder: StatsRecorder): void => {
    const histogram = createHistogram();
    histogram.add(recorder.total);
    this.#list.push({
      t: (Date.now() - recorder.startedAt) / 1000,
      histogram,
      requests: recorder.requests,
      failures: recorder.failures,
    });
  };

  /** Seconds covered. */
  get end(): number {
    return this.#list.at(-1)?.t ?? 0;
  }

  #at(t: number): Snapshot | undefined {
    let found: Snapshot | undefined;
    for (const s of this.#list) if (s.t <= t + 0.05) found = s;
    return found;
  }

  /** What happened between `from` and `to` seconds (to the nearest snapshot before each). */
  stretch(from: number, to: number): Stretch {
    const a = this.#at(from);
    const b = this.#at(to);
    if (!b) return { requests: 0, failures: 0, p95Ms: null };
    const histogram = createHistogram();
    histogram.add(b.histogram);
    if (a && a !== b) histogram.subtract(a.histogram);
    const requests = b.requests - (a && a !== b ? a.requests : 0);
    const failures = b.failures - (a && a !== b ? a.failures : 0);
    return {
      requests,
      failures,
      p95Ms: histogram.totalCount === 0 ? null : histogram.getValueAtPercentile(95) / 1000,
    };
  }
}
