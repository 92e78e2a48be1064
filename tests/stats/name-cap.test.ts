import { describe, expect, it } from 'vitest';
import { Random } from '../../src/load/index.js';
import {
  buildResult,
  DEFAULT_MAX_NAMES,
  DeltaRecorder,
  DistinctCounter,
  latencyMs,
  OTHER_NAMES,
  StatsRecorder,
} from '../../src/stats/index.js';

const failure = { kind: 'http' as const, status: 404, message: 'HTTP 404' };

describe('the cap on distinct request names', () => {
  it('records names up to the cap, the rest under one overflow name, and says so once', () => {
    const warnings: number[] = [];
    const recorder = new StatsRecorder(0, {
      maxNames: 100,
      onOverflow: (max) => warnings.push(max),
    });
    for (let i = 0; i < 5000; i++) recorder.record('GET', `/item/${i}`, 1000 + i, 10, failure);
    const endpoints = [...recorder.endpoints.values()];
    expect(endpoints).toHaveLength(101);
    const other = recorder.endpoints.get(`GET ${OTHER_NAMES}`)!;
    expect(other.requests).toBe(4900);
    expect(other.failures).toBe(4900);
    expect(other.histogram.totalCount).toBe(4900);
    expect(warnings).toEqual([100]);
    const names = recorder.names;
    expect(names.max).toBe(100);
    expect(names.recorded).toBe(100);
    expect(names.overflowRequests).toBe(4900);
    expect(Math.abs(names.overflowNames - 4900) / 4900).toBeLessThan(0.05);
    // Nothing is lost: the totals count every request.
    expect(recorder.requests).toBe(5000);
    expect(recorder.total.totalCount).toBe(5000);
    // Errors of overflowed requests are grouped under the overflow name, not one group a URL.
    expect(recorder.errors.list().map((e) => e.name)).toContain(OTHER_NAMES);
    expect(recorder.errors.list().length).toBeLessThanOrEqual(101);
  });

  // What a run of 100,000 per-id URLs with --raw-names records (tests/load/request-names.int
  // .test.ts runs the same through HTTP, smaller): in process, it takes a second, not ten.
  it('100,000 distinct names at the default cap: 1,000 rows and the overflow, and a small result', () => {
    const warnings: number[] = [];
    const recorder = new StatsRecorder(0, { onOverflow: (max) => warnings.push(max) });
    for (let id = 0; id < 100_000; id++)
      recorder.record('GET', `/item/${id}?page=${id % 7}`, 1000 + (id % 5000), 2);
    recorder.tick(1000, 20);
    const result = buildResult(recorder, {
      version: 'test',
      model: 'closed',
      executor: 'constant-users',
      target: 'http://127.0.0.1:1',
      endedAt: 1000,
      interrupted: false,
      generator: {
        workers: 1,
        cpuPercent: { mean: 1, max: 1 },
        eventLoopLagMs: { p50: 0, p99: 0, max: 0 },
        scheduleLagMs: null,
        dropped: 0,
        maxRssMb: 1,
        saturated: false,
        reasons: [],
      },
      templatedNames: false,
      config: {},
    });
    expect(DEFAULT_MAX_NAMES).toBe(1000);
    expect(result.totals.requests).toBe(100_000);
    expect(result.endpoints).toHaveLength(1001);
    expect(Object.keys(result.histograms.endpoints)).toHaveLength(1001);
    const other = result.endpoints.find((e) => e.name === OTHER_NAMES)!;
    expect(other.requests).toBe(99_000);
    expect(result.names).toMatchObject({
      max: 1000,
      recorded: 1000,
      overflowRequests: 99_000,
      templated: false,
    });
    expect(Math.abs(result.names!.overflowNames - 99_000) / 99_000).toBeLessThan(0.05);
    expect(warnings).toEqual([1000]);
    // The result stays small: about 1,000 small histograms, not one 90 KB histogram a URL.
    expect(JSON.stringify(result).length).toBeLessThan(2_000_000);
  });

  it('keeps recording a name it already has after the cap is reached', () => {
    const recorder = new StatsRecorder(0, { maxNames: 2 });
    recorder.record('GET', 'a', 1000, 0);
    recorder.record('GET', 'b', 1000, 0);
    recorder.record('GET', 'c', 1000, 0);
    recorder.record('GET', 'a', 1000, 0);
    expect(recorder.endpoints.get('GET a')!.requests).toBe(2);
    expect(recorder.endpoints.get(`GET ${OTHER_NAMES}`)!.requests).toBe(1);
    expect(recorder.names.overflowNames).toBe(1);
  });

  it('says nothing and reports no overflow when the names fit', () => {
    const warnings: number[] = [];
    const recorder = new StatsRecorder(0, {
      maxNames: 10,
      onOverflow: (max) => warnings.push(max),
    });
    for (let i = 0; i < 1000; i++) recorder.record('GET', `/n/${i % 10}`, 500, 0);
    expect(warnings).toEqual([]);
    expect(recorder.names).toEqual({
      max: 10,
      recorded: 10,
      overflowNames: 0,
      overflowRequests: 0,
    });
  });

  it('merges workers past the cap exactly: a name is all in its row or all in the overflow', () => {
    const workers = [0, 1, 2].map(() => new DeltaRecorder());
    const warnings: number[] = [];
    // As runLoad does: once the run's table is full, the workers keep only its names.
    const merged = new StatsRecorder(0, {
      maxNames: 50,
      onOverflow: (max, recorded) => {
        warnings.push(max);
        for (const worker of workers) worker.restrict(recorded);
      },
    });
    const random = new Random(11);
    const tally = new Map<string, number>();
    for (let i = 0; i < 30_000; i++) {
      const w = i % 3;
      // Each worker has 20 names of its own and shares 20 (80 in all, past 50), plus a stream
      // of one-off names; worker 1 starts with 200 of those, so a cap of its own would fill
      // before it saw a name the run records.
      const name =
        i % 10 === 0 || (w === 1 && i < 600)
          ? `/once/${i}`
          : random.next() < 0.5
            ? `/w${w}/${i % 20}`
            : `/shared/${i % 20}`;
      tally.set(name, (tally.get(name) ?? 0) + 1);
      workers[w]!.record('GET', name, Math.exp(random.between(4, 14)), 100, failure);
      if (i % 4000 === 3999) for (const worker of workers) merged.merge(worker.take());
    }
    for (const worker of workers) merged.merge(worker.take());

    expect(merged.requests).toBe(30_000);
    expect(merged.endpoints.size).toBe(51);
    expect(warnings).toEqual([50]);
    const other = merged.endpoints.get(`GET ${OTHER_NAMES}`)!;
    for (const [key, stats] of merged.endpoints) {
      if (stats.name === OTHER_NAMES) continue;
      // Every request of a recorded name, from every worker, before and after the cap.
      expect(stats.requests, key).toBe(tally.get(stats.name));
      expect(stats.histogram.totalCount, key).toBe(tally.get(stats.name));
    }
    const recordedRequests = [...merged.endpoints.values()]
      .filter((e) => e.name !== OTHER_NAMES)
      .reduce((n, e) => n + e.requests, 0);
    expect(other.requests).toBe(30_000 - recordedRequests);
    expect(other.histogram.totalCount).toBe(other.requests);
    // Errors are grouped as the requests are: under a recorded name or the overflow.
    const names = new Set([...merged.endpoints.values()].map((e) => e.name));
    for (const group of merged.errors.list()) expect(names.has(group.name), group.name).toBe(true);
    // Names past the cap: all that were seen less the 50 recorded, estimated across the
    // workers' counters and the run's.
    const past = tally.size - 50;
    expect(Math.abs(merged.names.overflowNames - past) / past).toBeLessThan(0.05);
  });

  it('sends a rare name as its latencies, a busy one as a histogram, with the same figures', () => {
    const worker = new DeltaRecorder();
    for (let i = 0; i < 3; i++) worker.record('GET', 'rare', 1000 * (i + 1), 0);
    for (let i = 0; i < 500; i++) worker.record('GET', 'busy', 700 + i, 0);
    const delta = worker.take();
    const rare = delta.endpoints.find((e) => e.name === 'rare')!;
    const busy = delta.endpoints.find((e) => e.name === 'busy')!;
    expect(rare.samples).toEqual([1000, 2000, 3000]);
    expect(rare.histogram).toBeUndefined();
    expect(busy.histogram).toBeTypeOf('string');
    const merged = new StatsRecorder(0);
    merged.merge(delta);
    const direct = new StatsRecorder(0);
    for (let i = 0; i < 3; i++) direct.record('GET', 'rare', 1000 * (i + 1), 0);
    expect(latencyMs(merged.endpoints.get('GET rare')!.histogram)).toEqual(
      latencyMs(direct.endpoints.get('GET rare')!.histogram),
    );
    // A quiet second sends nothing for either name.
    expect(worker.take().endpoints).toEqual([]);
  });
});

describe('counting distinct names in fixed memory', () => {
  it.each([1, 10, 1000, 38_807, 250_000])('estimates %i distinct names within 5%%', (n) => {
    const counter = new DistinctCounter();
    for (let i = 0; i < n; i++) {
      counter.add(`GET /item/${i}`);
      if (i % 3 === 0) counter.add(`GET /item/${i}`); // repeats do not count
    }
    expect(Math.abs(counter.estimate - n) / n).toBeLessThan(0.05);
  });

  it('merges counters as their union', () => {
    const a = new DistinctCounter();
    const b = new DistinctCounter();
    for (let i = 0; i < 20_000; i++) a.add(`x${i}`);
    for (let i = 10_000; i < 30_000; i++) b.add(`x${i}`);
    const union = new DistinctCounter();
    union.merge(a.takeChange()!);
    union.merge(b.takeChange()!);
    expect(Math.abs(union.estimate - 30_000) / 30_000).toBeLessThan(0.05);
    expect(a.takeChange()).toBeUndefined();
  });
});
