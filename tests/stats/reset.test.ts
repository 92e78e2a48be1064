import { describe, expect, it } from 'vitest';
import { buildResult, StatsRecorder } from '../../src/stats/index.js';

const meta = (endedAt: number) => ({
  version: 'test',
  model: 'closed' as const,
  executor: 'steered',
  target: 'http://127.0.0.1',
  endedAt,
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

describe('StatsRecorder.reset (the live UI\'s "reset stats")', () => {
  it('starts the whole-run figures again and keeps the per-second rows', () => {
    const recorder = new StatsRecorder(0);
    for (let i = 0; i < 100; i++) recorder.record('GET', '/slow', 900_000, 10);
    recorder.record('GET', '/slow', 900_000, 10, { kind: 'http', message: '500', status: 500 });
    recorder.tick(1000, 5);
    expect(recorder.lastSeconds.get('GET /slow')?.requests).toBe(101);
    recorder.reset(1000);
    for (let i = 0; i < 10; i++) recorder.record('GET', '/fast', 1_000, 10);
    recorder.tick(2000, 5);
    const result = buildResult(recorder, meta(3000));
    expect(result.totals.requests).toBe(10);
    expect(result.totals.failures).toBe(0);
    expect(result.errors).toEqual([]);
    expect(result.endpoints.map((e) => e.name)).toEqual(['/fast']);
    expect(result.totals.latencyMs.max).toBeLessThan(2);
    // Rates are over what the figures hold: 10 requests in the 2 s since the reset.
    expect(result.totals.rps).toBe(5);
    // The history of the run stays whole for its charts.
    expect(result.timeseries.map((r) => r.requests)).toEqual([101, 10]);
    expect([...recorder.lastSeconds.keys()]).toEqual(['GET /fast']);
  });
});
