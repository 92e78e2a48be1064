import { createHistogram, type Histogram, type StatsRecorder } from '../stats/index.js';
import type { ClientSlice } from './figures.js';

function copy(histogram: Histogram): Histogram {
  const out = createHistogram();
  out.add(histogram);
  return out;
}

/** The histograms of a recorder at one moment, to difference against a later moment. */
export interface Snapshot {
  readonly at: number;
  readonly total: Histogram;
  readonly requests: number;
  readonly failures: number;
  readonly endpoints: Map<string, { histogram: Histogram; requests: number; failures: number }>;
}

/** A snapshot of nothing at `at`: where a run, or a run after a reset, starts. */
export function emptySnapshot(at: number): Snapshot {
  return { at, total: createHistogram(), requests: 0, failures: 0, endpoints: new Map() };
}

/** Copies the run's histogram, and those of the endpoints `wanted` names (up to 93 KB each). */
export function snapshot(
  recorder: StatsRecorder,
  at: number,
  wanted: (key: string) => boolean,
): Snapshot {
  const endpoints = new Map<string, { histogram: Histogram; requests: number; failures: number }>();
  for (const [key, s] of recorder.endpoints)
    if (wanted(key))
      endpoints.set(key, {
        histogram: copy(s.histogram),
        requests: s.requests,
        failures: s.failures,
      });
  return {
    at,
    total: copy(recorder.total),
    requests: recorder.requests,
    failures: recorder.failures,
    endpoints,
  };
}

/** What happened between two snapshots of one figure, over `seconds`. */
export function difference(
  later: { histogram: Histogram; requests: number; failures: number },
  earlier: { histogram: Histogram; requests: number; failures: number } | undefined,
  seconds: number,
): ClientSlice {
  const histogram = copy(later.histogram);
  if (earlier) histogram.subtract(earlier.histogram);
  return {
    histogram,
    requests: later.requests - (earlier?.requests ?? 0),
    failures: later.failures - (earlier?.failures ?? 0),
    seconds,
  };
}
