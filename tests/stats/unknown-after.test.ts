import { describe, expect, it } from 'vitest';
import { buildResult, loadResultProblem, StatsRecorder } from '../../src/stats/index.js';

/**
 * Issue 25, item 2: a distributed run whose coordinator lost Redis counted the seconds it could
 * not see as seconds of no requests: its rate read 11.6/s for a run at 50/s, and its chart showed
 * the traffic stopping. What was not seen is unknown, not zero.
 */
const meta = (endedAt: number) => ({
  version: 'test',
  model: 'open' as const,
  executor: 'constant-arrival-rate',
  target: 'http://127.0.0.1',
  endedAt,
  interrupted: true,
  generator: {
    workers: 2,
    cpuPercent: { mean: 0, max: 0 },
    eventLoopLagMs: { p50: 0, p99: 0, max: 0 },
    scheduleLagMs: null,
    dropped: 0,
    maxRssMb: 0,
    saturated: false,
    reasons: [],
  },
  templatedNames: false,
  config: {},
});

/** 50 requests in each of `seen` seconds, then `blind` seconds in which nothing arrives. */
function run(seen: number, blind: number): StatsRecorder {
  const recorder = new StatsRecorder(0);
  for (let s = 1; s <= seen; s++) {
    for (let i = 0; i < 50; i++) recorder.record('GET', '/ok', 1000 + i, 2);
    recorder.tick(s * 1000 + 300, 2);
  }
  for (let s = seen + 1; s <= seen + blind; s++) recorder.tick(s * 1000 + 300, 2);
  return recorder;
}

describe('a run whose figures are unknown after some seconds', () => {
  it('keeps the rows of the seconds seen only, and its rates are over them', () => {
    const recorder = run(3, 3);
    // The last, partial second the run closes with.
    recorder.tick(6_700, 0);
    recorder.unseenAfter(3);
    const result = buildResult(recorder, meta(6_700));

    expect(result.unknownAfterS).toBe(3);
    expect(result.durationS).toBe(6.7);
    expect(result.timeseries.map((r) => r.requests)).toEqual([50, 50, 50]);
    expect(result.totals.requests).toBe(150);
    expect(result.totals.rps).toBe(50);
    expect(result.endpoints[0]?.rps).toBe(50);
    expect(result.endpointSeries?.['GET /ok']?.requests).toEqual([50, 50, 50]);
    expect(loadResultProblem(JSON.parse(JSON.stringify(result)))).toBeUndefined();
  });

  it('a second whose report arrived late keeps its row: rows end with the last that holds something', () => {
    const recorder = new StatsRecorder(0);
    for (let i = 0; i < 50; i++) recorder.record('GET', '/ok', 1000, 2);
    recorder.tick(1_300, 2);
    // The second second's report missed its row (a busy machine) and landed in the next.
    recorder.tick(2_300, 2);
    for (let i = 0; i < 50; i++) recorder.record('GET', '/ok', 1000, 2);
    recorder.tick(3_300, 2);
    recorder.tick(4_300, 2);
    recorder.tick(5_000, 0);
    recorder.unseenAfter(2);
    const result = buildResult(recorder, meta(5_000));

    expect(result.timeseries.map((r) => r.requests)).toEqual([50, 0, 50]);
    expect(result.endpointSeries?.['GET /ok']?.requests).toEqual([50, 50]);
    expect(result.totals.rps).toBe(50);
  });

  it('a whole run seen has no unknownAfterS, and its rates are over its duration', () => {
    const recorder = run(4, 0);
    const result = buildResult(recorder, meta(4_000));
    expect(result).not.toHaveProperty('unknownAfterS');
    expect(result.totals.rps).toBe(50);
  });

  it('the result schema refuses an unknown span that starts after the run ended', () => {
    const recorder = run(2, 0);
    recorder.unseenAfter(2);
    const result = JSON.parse(JSON.stringify(buildResult(recorder, meta(2_300))));
    expect(loadResultProblem({ ...result, unknownAfterS: 9 })).toBe(
      'unknownAfterS: expected at most durationS (2.3), got 9',
    );
    expect(loadResultProblem({ ...result, unknownAfterS: -1 })).toMatch(/^unknownAfterS: /);
  });
});
