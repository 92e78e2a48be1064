import { describe, expect, it } from 'vitest';
import { Random } from '../../src/load/index.js';
import {
  DeltaRecorder,
  decodeHistogram,
  encodeHistogram,
  latencyMs,
  StatsRecorder,
} from '../../src/stats/index.js';

function latencies(seed: number, count: number): number[] {
  const random = new Random(seed);
  // Log-normal-ish spread from 50 us to several seconds, as real latencies are.
  return Array.from({ length: count }, () => Math.exp(random.between(4, 15)));
}

describe('merging worker histograms', () => {
  it('gives exactly the figures of one recorder that saw every request', () => {
    const whole = new StatsRecorder(0);
    const merged = new StatsRecorder(0);
    const workers = [new DeltaRecorder(), new DeltaRecorder(), new DeltaRecorder()];
    for (const [w, worker] of workers.entries()) {
      for (const [i, micros] of latencies(w + 1, 20_000).entries()) {
        const name = i % 3 === 0 ? 'b' : 'a';
        const failure =
          i % 17 === 0 ? { kind: 'http' as const, status: 503, message: 'HTTP 503' } : undefined;
        whole.record('GET', name, micros, 100, failure);
        worker.record('GET', name, micros, 100, failure);
        // Deltas are taken every so often, as workers send them every second.
        if (i % 5000 === 4999) merged.merge(worker.take());
      }
      merged.merge(worker.take());
    }
    expect(merged.requests).toBe(60_000);
    expect(merged.failures).toBe(whole.failures);
    expect(latencyMs(merged.total)).toEqual(latencyMs(whole.total));
    for (const [key, stats] of whole.endpoints) {
      const other = merged.endpoints.get(key)!;
      expect(other.requests).toBe(stats.requests);
      expect(other.histogram.totalCount).toBe(stats.histogram.totalCount);
      for (const p of [1, 50, 90, 99, 99.9, 100])
        expect(other.histogram.getValueAtPercentile(p)).toBe(
          stats.histogram.getValueAtPercentile(p),
        );
    }
    expect(merged.errors.list()).toEqual(whole.errors.list());
  });

  it('round-trips a histogram through its encoded form', () => {
    const recorder = new StatsRecorder(0);
    for (const micros of latencies(9, 5000)) recorder.record('GET', 'x', micros, 0);
    const decoded = decodeHistogram(encodeHistogram(recorder.total));
    expect(decoded.totalCount).toBe(5000);
    expect(latencyMs(decoded)).toEqual(latencyMs(recorder.total));
  });

  it('keeps memory flat: a histogram grows with the largest latency, not with samples', () => {
    const recorder = new StatsRecorder(0);
    const samples = latencies(3, 200_000);
    const largest = samples.reduce((a, b) => Math.max(a, b));
    recorder.record('GET', 'x', largest, 0);
    const before = recorder.total.estimatedFootprintInBytes;
    for (const micros of samples) recorder.record('GET', 'x', micros, 0);
    expect(recorder.total.estimatedFootprintInBytes).toBe(before);
    // Even an hour-long reply stays within the old fixed size (93 KB).
    recorder.record('GET', 'x', 7_200_000_000, 0);
    expect(recorder.total.estimatedFootprintInBytes).toBeLessThanOrEqual(95_232);
  });

  it('computes percentiles of known values to 3 significant digits', () => {
    const recorder = new StatsRecorder(0);
    for (let ms = 1; ms <= 1000; ms++) recorder.record('GET', 'x', ms * 1000, 0);
    const figures = latencyMs(recorder.total);
    expect(figures.min).toBe(1);
    expect(figures.p50).toBeCloseTo(500, -0.5);
    expect(figures.p99).toBeCloseTo(990, -0.5);
    expect(figures.max).toBeCloseTo(1000, -0.5);
    expect(figures.mean).toBeCloseTo(500.5, 0);
  });
});
