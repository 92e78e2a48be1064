import { describe, expect, it } from 'vitest';
import { buildResult, type GeneratorHealth, StatsRecorder } from '../../src/stats/index.js';
import {
  evaluateTargets,
  parsePrometheus,
  resultFigures,
  Scrape,
  ScrapeError,
  ServiceFigures,
  type Target,
  targetFromFlag,
} from '../../src/targets/index.js';

const GENERATOR: GeneratorHealth = {
  workers: 1,
  cpuPercent: { mean: 10, max: 20 },
  eventLoopLagMs: { p50: 1, p99: 2, max: 3 },
  scheduleLagMs: null,
  dropped: 0,
  maxRssMb: 100,
  saturated: false,
  reasons: [],
};

/** 100 s run: "fast" 900 requests at 10 ms, "slow" 100 at 400 ms of which 20 failed. */
function syntheticResult() {
  const recorder = new StatsRecorder(0);
  for (let i = 0; i < 900; i++) recorder.record('GET', 'fast', 10_000, 100);
  for (let i = 0; i < 100; i++)
    recorder.record(
      'GET',
      'slow',
      400_000,
      100,
      i < 20 ? { kind: 'http', message: '503', status: 503 } : undefined,
    );
  return buildResult(recorder, {
    version: 'test',
    model: 'closed',
    executor: 'constant-users',
    target: 'http://127.0.0.1:1',
    endedAt: 100_000,
    interrupted: false,
    generator: GENERATOR,
    templatedNames: true,
    config: {},
  });
}

const targets = (...exprs: string[]): Target[] => exprs.map((e) => targetFromFlag(e));

const metrics = (
  hitsL1: number,
  missesL1: number,
  hitsL2: number,
  missesL2: number,
  tasks: [number, number, number],
  yahoo: [number, number],
) =>
  new Scrape(
    parsePrometheus(`# HELP fiml_cache_hits_total Cache lookups answered, by layer
# TYPE fiml_cache_hits_total counter
fiml_cache_hits_total{layer="l1"} ${hitsL1}
fiml_cache_hits_total{layer="l2"} ${hitsL2}
fiml_cache_misses_total{layer="l1"} ${missesL1}
fiml_cache_misses_total{layer="l2"} ${missesL2}
fiml_tasks_total{status="completed"} ${tasks[0]}
fiml_tasks_total{status="failed"} ${tasks[1]}
fiml_tasks_total{status="rejected"} ${tasks[2]}
fiml_provider_requests_total{provider="yahoo",operation="price",status="success"} ${yahoo[0]}
fiml_provider_requests_total{provider="yahoo",operation="price",status="error"} ${yahoo[1]}
fiml_provider_requests_total{provider="fmp",operation="price",status="success"} 50
process_resident_memory_bytes 1.5e+08
`),
    0,
  );

describe('evaluating targets on a run', () => {
  const result = syntheticResult();
  const before = metrics(1000, 200, 50, 150, [10, 0, 0], [100, 0]);
  const after = metrics(1900, 300, 110, 190, [105, 3, 2], [180, 20]);
  const figures = resultFigures(result, new ServiceFigures(before, after), { ok: 199, total: 200 });

  it('judges client-side figures from the histograms', () => {
    const outcomes = evaluateTargets(
      targets(
        'avg < 50ms',
        'p50 < 11ms',
        'p99 < 300ms',
        'error_rate < 1%',
        'rps > 5',
        'endpoint["fast"].p99 < 11ms',
        'endpoint["GET slow"].error_rate < 25%',
      ),
      figures,
    );
    expect(outcomes.map((o) => [o.name, o.actual, o.verdict])).toEqual([
      ['avg < 50ms', '49ms', 'pass'],
      ['p50 < 11ms', '10ms', 'pass'],
      ['p99 < 300ms', '400.1ms', 'fail'],
      ['error_rate < 1%', '2%', 'fail'],
      ['rps > 5', '10/s', 'pass'],
      ['endpoint["fast"].p99 < 11ms', '10ms', 'pass'],
      ['endpoint["GET slow"].error_rate < 25%', '20%', 'pass'],
    ]);
    expect(outcomes[3]!.detail).toBe('20 of 1000 requests failed');
  });

  it('judges the overflow name of a run past its name cap like any other endpoint', () => {
    const recorder = new StatsRecorder(0, { maxNames: 2 });
    for (let i = 0; i < 100; i++) recorder.record('GET', `/item/${i}`, 20_000, 100);
    const capped = buildResult(recorder, {
      version: 'test',
      model: 'closed',
      executor: 'constant-users',
      target: 'http://127.0.0.1:1',
      endedAt: 10_000,
      interrupted: false,
      generator: GENERATOR,
      templatedNames: false,
      config: {},
    });
    const outcomes = evaluateTargets(
      targets('endpoint["(other names)"].p95 < 10ms', 'endpoint["GET /item/0"].p95 < 50ms'),
      resultFigures(capped, new ServiceFigures(before, after), { ok: 1, total: 1 }),
    );
    expect(outcomes.map((o) => [o.actual, o.verdict])).toEqual([
      ['20ms', 'fail'],
      ['20ms', 'pass'],
    ]);
  });

  it('differences the scraped counters for the service figures', () => {
    const outcomes = evaluateTargets(
      targets(
        'cache_hit_rate > 80%',
        'task_completion_rate > 95%',
        'provider_uptime > 99%',
        'provider["fmp"].uptime > 99%',
        'provider["yahoo"].uptime > 99%',
        'uptime > 99.5%',
      ),
      figures,
    );
    // 900 l1 hits + 60 l2 hits of 1000 lookups; 95 of 100 tasks; yahoo 80 of 100 calls, fmp none.
    expect(outcomes.map((o) => [o.actual, o.verdict])).toEqual([
      ['96%', 'pass'],
      ['95%', 'fail'],
      ['80%', 'fail'],
      [null, 'unknown'],
      ['80%', 'fail'],
      ['99.5%', 'fail'],
    ]);
    expect(outcomes[0]!.detail).toBe('960 of 1000 cache lookups answered (l1, l2)');
    expect(outcomes[3]!.detail).toBe('no fmp calls during the run');
    expect(new ServiceFigures(before, after).residentMemory()).toEqual({
      before: 1.5e8,
      after: 1.5e8,
    });
  });

  it('reports a figure it cannot know as unknown, with the reason, never as passed', () => {
    const bare = resultFigures(
      result,
      'no Prometheus metrics: http://x/metrics answered 404',
      'no health probes: http://x/health answered 404 before the run; pass --health-path',
    );
    const outcomes = evaluateTargets(
      targets('cache_hit_rate > 80%', 'uptime > 99%', 'endpoint["nope"].p95 < 1s'),
      bare,
    );
    expect(outcomes.map((o) => o.verdict)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(outcomes[0]!.detail).toMatch(/answered 404/);
    expect(outcomes[2]!.detail).toBe('no endpoint named "nope" in this run (fast, slow)');
    const other = new Scrape(parsePrometheus('http_requests_total 5\n'), 0);
    const [cache] = evaluateTargets(
      targets('cache_hit_rate > 80%'),
      resultFigures(result, new ServiceFigures(other, other), { ok: 1, total: 1 }),
    );
    expect(cache!.detail).toBe(
      'the service exposes no fiml_cache_hits_total or fiml_cache_misses_total metric',
    );
  });

  it('refuses counters that went down (a restarted service)', () => {
    expect(() => new ServiceFigures(after, before).cacheHitRate()).toThrow(ScrapeError);
  });

  it('fails a target missed in one window though the whole run meets it', () => {
    const window = (from: number, p50us: number) => {
      const r = new StatsRecorder(0);
      for (let i = 0; i < 100; i++) r.record('GET', 'fast', p50us, 1);
      return {
        from,
        to: from + 30,
        figures: {
          run: { histogram: r.total, requests: 100, failures: 0, seconds: 30 },
          endpoints: new Map(),
          service: 'none',
          probes: 'none',
        },
      };
    };
    const [outcome] = evaluateTargets(targets('p50 < 50ms'), figures, {
      seconds: 30,
      list: [window(0, 10_000), window(30, 90_000), window(60, 10_000)],
    });
    expect(outcome!.actual).toBe('10ms');
    expect(outcome!.verdict).toBe('fail');
    expect(outcome!.windows).toMatchObject({
      judged: 3,
      failed: [{ from: 30, to: 60, actual: '90ms' }],
    });
    expect(outcome!.detail).toMatch(/^1 of 3 30s windows missed it \(first 30-60s: 90ms\)/);
  });
});

describe('Prometheus text', () => {
  it('reads labels with escapes, special values and timestamps', () => {
    const samples = parsePrometheus(
      '# TYPE x gauge\nx{a="q\\"uote",b="back\\\\slash"} +Inf 1700000000\ny NaN\n',
    );
    expect(samples[0]).toEqual({
      name: 'x',
      labels: { a: 'q"uote', b: 'back\\slash' },
      value: Infinity,
    });
    expect(Number.isNaN(samples[1]!.value)).toBe(true);
    expect(() => parsePrometheus('<html>not metrics</html>')).toThrow(ScrapeError);
  });
});

describe("the cache hit rate with FIML's database as a cache layer (issue 27)", () => {
  const scrape = (l1: [number, number], db: [number, number]) =>
    new Scrape(
      parsePrometheus(`fiml_cache_hits_total{layer="l1"} ${l1[0]}
fiml_cache_misses_total{layer="l1"} ${l1[1]}
fiml_cache_hits_total{layer="db"} ${db[0]}
fiml_cache_misses_total{layer="db"} ${db[1]}
`),
      0,
    );

  it('counts over every L1 lookup, not over the database layer (first alphabetically)', () => {
    // 100 lookups: 80 answered by L1, 10 of its 20 misses by the database.
    const figures = new ServiceFigures(scrape([0, 0], [0, 0]), scrape([80, 20], [10, 10]));
    expect(figures.cacheHitRate()).toMatchObject({ known: true, value: 0.9 });
    expect(figures.cacheLayers().map((l) => l.layer)).toEqual(['l1', 'db']);
  });
});
