import { describe, expect, it } from 'vitest';
import { Random } from '../../src/load/index.js';
import {
  buildResult,
  createHistogram,
  DeltaRecorder,
  type EndpointSeriesResult,
  OTHER_NAMES,
  percentileMs,
  StatsRecorder,
} from '../../src/stats/index.js';

const failure = { kind: 'http' as const, status: 500, message: 'HTTP 500' };
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
/** A latency as a series row shows it: the top of its bucket in a 2-digit histogram, in ms. */
const shown = (micros: number) => {
  const histogram = createHistogram(2);
  histogram.recordValue(micros);
  return percentileMs(histogram, 100);
};
const series = (recorder: StatsRecorder, key: string): EndpointSeriesResult =>
  recorder.endpoints.get(key)!.series;

describe('per-endpoint series in the recorder', () => {
  it('a row a second for each endpoint that had requests, with the percentiles of that second', () => {
    const recorder = new StatsRecorder(0);
    const slow = createHistogram(2);
    for (let i = 1; i <= 200; i++) {
      recorder.record('GET', 'fast', 1000 + i, 10);
      recorder.record('GET', 'slow', 30_000 + i * 100, 10, i % 50 === 0 ? failure : undefined);
      slow.recordValue(30_000 + i * 100);
    }
    recorder.tick(1000, 2);
    recorder.record('GET', 'fast', 2000, 10);
    recorder.tick(2000, 2);

    const fast = series(recorder, 'GET fast');
    expect(fast.stepS).toBe(1);
    expect(fast.t).toEqual(recorder.series.map((row) => row.t));
    expect(fast.requests).toEqual([200, 1]);
    expect(fast.failures).toEqual([0, 0]);
    expect(fast.max[1]).toBe(shown(2000));

    // Quiet in the second second: no row for it, not a row of zeros.
    const s = series(recorder, 'GET slow');
    expect(s.t).toEqual([1]);
    expect(s.requests).toEqual([200]);
    expect(s.failures).toEqual([4]);
    expect(s.p50[0]).toBe(percentileMs(slow, 50));
    expect(s.p99[0]).toBe(percentileMs(slow, 99));
    expect(s.max[0]).toBe(percentileMs(slow, 100));
    expect(s.p99[0]).toBeGreaterThan(fast.p99[0]!);
  });

  it('gives the overflow name a series like any endpoint', () => {
    const recorder = new StatsRecorder(0, { maxNames: 2 });
    for (let i = 0; i < 10; i++) recorder.record('GET', `/item/${i}`, 500, 0);
    recorder.tick(1000, 1);
    expect(series(recorder, `GET ${OTHER_NAMES}`).requests).toEqual([8]);
  });

  it('merged from workers: the same rows as one recorder that saw every request', () => {
    const random = new Random(3);
    const single = new StatsRecorder(0);
    const merged = new StatsRecorder(0);
    const workers = [new DeltaRecorder(), new DeltaRecorder()];
    for (let second = 1; second <= 3; second++) {
      // 'busy' goes past the 64 latencies a record keeps as a list; 'rare' stays under.
      for (let i = 0; i < 500; i++) {
        const name = i % 50 === 0 ? 'rare' : 'busy';
        const micros = 200 + Math.floor(random.next() * 50_000);
        single.record('GET', name, micros, 0);
        workers[i % 2]!.record('GET', name, micros, 0);
      }
      for (const worker of workers) merged.merge(worker.take());
      single.tick(second * 1000, 2);
      merged.tick(second * 1000, 2);
    }
    for (const key of ['GET busy', 'GET rare']) {
      expect(series(merged, key)).toEqual(series(single, key));
      expect(sum(series(merged, key).requests)).toBe(merged.endpoints.get(key)!.requests);
    }
  });

  it('past its budget, coarsens the longest series: rows halve, sums stay, tails are kept', () => {
    const recorder = new StatsRecorder(0, { maxSeriesRows: 12 });
    for (let second = 1; second <= 8; second++) {
      // 'a' is slow in odd seconds; 'b' has a request every other second.
      for (let i = 0; i < 10; i++)
        recorder.record('GET', 'a', second % 2 ? 9000 : 1000, 0, i === 0 ? failure : undefined);
      if (second % 2 === 0) recorder.record('GET', 'b', 500, 0);
      recorder.tick(second * 1000, 1);
    }
    // 8 rows of 'a' and 4 of 'b' fit in 12 exactly.
    expect(series(recorder, 'GET a').requests).toHaveLength(8);
    expect(series(recorder, 'GET a').stepS).toBe(1);

    recorder.record('GET', 'a', 1000, 0);
    recorder.tick(9000, 1);
    const a = series(recorder, 'GET a');
    expect(a.stepS).toBe(2);
    // Slots [0,1], [2,3], ... of the ticks: 9 rows became 5.
    expect(a.requests).toEqual([20, 20, 20, 20, 1]);
    expect(a.failures).toEqual([2, 2, 2, 2, 0]);
    expect(a.t).toEqual([1, 3, 5, 7, 9]);
    expect(sum(a.requests)).toBe(recorder.endpoints.get('GET a')!.requests);
    // The larger p99 and max of a pair, the request-weighted mean of its medians.
    const slow = shown(9000);
    expect(a.p99.slice(0, 4)).toEqual([slow, slow, slow, slow]);
    expect(a.max.slice(0, 4)).toEqual([slow, slow, slow, slow]);
    expect(a.p50[0]).toBe((slow + shown(1000)) / 2);
    // 'b' was the shorter series, and is left as it was.
    expect(series(recorder, 'GET b')).toMatchObject({ stepS: 1, requests: [1, 1, 1, 1] });

    // Later seconds go into the last row while it spans less than stepS.
    recorder.record('GET', 'a', 1000, 0);
    recorder.tick(10_000, 1);
    expect(series(recorder, 'GET a').requests).toEqual([20, 20, 20, 20, 2]);
  });

  it('writes the series into the result, keyed as the histograms', () => {
    const recorder = new StatsRecorder(0);
    recorder.record('GET', 'a', 1000, 0);
    recorder.record('POST', 'b', 1000, 0);
    recorder.tick(1000, 1);
    recorder.record('POST', 'c', 1000, 0);
    const result = buildResult(recorder, {
      version: 'test',
      model: 'closed',
      executor: 'constant-users',
      target: 'http://127.0.0.1',
      endedAt: 1500,
      interrupted: false,
      generator: {
        workers: 1,
        cpuPercent: { mean: 0, max: 0 },
        eventLoopLagMs: { p50: 0, p99: 0, max: 0 },
        scheduleLagMs: null,
        dropped: 0,
        maxRssMb: 0,
        saturated: false,
        reasons: [],
      },
      templatedNames: true,
      config: {},
    });
    expect(result.schemaVersion).toBe(2);
    expect(Object.keys(result.endpointSeries!)).toEqual(Object.keys(result.histograms.endpoints));
    expect(result.endpointSeries!['GET a']).toMatchObject({ stepS: 1, t: [1], requests: [1] });
    // No tick since its request: no row yet.
    expect(result.endpointSeries!['POST c']).toMatchObject({ stepS: 1, t: [], requests: [] });
  });
});
