import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { call, startFiml } from '../helpers/fiml.js';
import { find, parsePrometheus, total } from '../helpers/prometheus.js';

const tool = (name: string) => `/mcp/tools/${name}`;

describe('/metrics on a FIML that served traffic', () => {
  let fiml: RunningFiml;
  beforeAll(async () => {
    fiml = await startFiml({ cache: { warm: false } });
    await call(fiml.url, tool('get_price'), { query: { symbol: 'AAPL' } });
    await call(fiml.url, tool('get_price'), { query: { symbol: 'AAPL' } });
    await call(fiml.url, tool('get_price'), { method: 'POST', body: { symbol: 'TEST1234' } });
    await call(fiml.url, tool('generate_narrative'), {
      query: { symbol: 'MSFT', style: 'technical' },
    });
    await call(fiml.url, tool('execute_dsl'), {
      query: { query: 'CALCULATE RSI FOR ETH PERIOD 14' },
    });
    await call(fiml.url, '/health/providers/yahoo');
    await call(fiml.url, '/health/providers/ccxt');
    await call(fiml.url, '/no/such/route');
  });
  afterAll(() => fiml.close());

  it('is valid Prometheus text with every FIML series typed as it should be', async () => {
    const res = await call(fiml.url, '/metrics');
    expect(res.headers['content-type']).toContain('text/plain');
    const expo = parsePrometheus(res.text);
    expect(
      Object.fromEntries([...expo.types].filter(([name]) => name.startsWith('fiml_'))),
    ).toEqual({
      fiml_requests_total: 'counter',
      fiml_request_duration_seconds: 'histogram',
      fiml_active_requests: 'gauge',
      fiml_provider_requests_total: 'counter',
      fiml_provider_latency_seconds: 'histogram',
      fiml_slow_queries_total: 'counter',
      fiml_task_completion_rate: 'gauge',
      fiml_tasks_total: 'counter',
      fiml_cache_hits_total: 'counter',
      fiml_cache_misses_total: 'counter',
      fiml_narrative_generation_seconds: 'histogram',
      fiml_dsl_execution_seconds: 'histogram',
    });
    expect(find(expo, 'process_resident_memory_bytes')[0]!.value).toBeGreaterThan(0);
  });

  it('counts requests by method, route pattern and status', async () => {
    const expo = parsePrometheus((await call(fiml.url, '/metrics')).text);
    const get = { method: 'GET', endpoint: '/mcp/tools/get_price' };
    expect(total(expo, 'fiml_requests_total', { ...get, status: '200' })).toBe(2);
    expect(
      total(expo, 'fiml_requests_total', {
        method: 'POST',
        endpoint: '/mcp/tools/get_price',
        status: '404',
      }),
    ).toBe(1);
    expect(total(expo, 'fiml_requests_total', { endpoint: '/health/providers/:name' })).toBe(2);
    expect(find(expo, 'fiml_requests_total', { endpoint: '/health/providers/yahoo' })).toHaveLength(
      0,
    );
    expect(total(expo, 'fiml_requests_total', { endpoint: 'unmatched', status: '404' })).toBe(1);
    const buckets = find(expo, 'fiml_request_duration_seconds_bucket', get).map((s) => s.labels.le);
    expect(buckets).toEqual([
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '+Inf',
    ]);
    expect(total(expo, 'fiml_request_duration_seconds_count', get)).toBe(2);
  });

  it('counts provider calls, cache lookups per layer, narratives, DSL runs and task completion', async () => {
    const expo = parsePrometheus((await call(fiml.url, '/metrics')).text);
    expect(
      total(expo, 'fiml_provider_requests_total', {
        provider: 'yahoo',
        operation: 'quote',
        status: 'success',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total(expo, 'fiml_provider_latency_seconds_count', {
        provider: 'yahoo',
        operation: 'history',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(total(expo, 'fiml_cache_hits_total', { layer: 'l1' })).toBeGreaterThanOrEqual(1);
    expect(total(expo, 'fiml_cache_misses_total', { layer: 'l1' })).toBeGreaterThanOrEqual(1);
    expect(total(expo, 'fiml_narrative_generation_seconds_count', { style: 'technical' })).toBe(1);
    expect(total(expo, 'fiml_dsl_execution_seconds_count', { query_type: 'indicator' })).toBe(1);
    expect(find(expo, 'fiml_task_completion_rate')[0]!.value).toBe(1);
    // This scrape itself is the one request in progress.
    expect(find(expo, 'fiml_active_requests')[0]!.value).toBe(1);
  });

  it('reports cache, operations, tasks and providers as JSON at both performance URLs', async () => {
    const a = (await call(fiml.url, '/api/metrics/performance')).body;
    const b = (await call(fiml.url, '/api/performance/metrics')).body;
    expect(Object.keys(b)).toEqual(Object.keys(a));
    expect(a.cache.l1.hits + a.cache.l1.misses).toBeGreaterThan(0);
    expect(a.operations.get_price).toMatchObject({ count: 3 });
    const op = a.operations.get_price;
    expect(op.p50_ms).toBeLessThanOrEqual(op.p95_ms);
    expect(op.p95_ms).toBeLessThanOrEqual(op.p99_ms);
    expect(op.p99_ms).toBeLessThanOrEqual(op.max_ms);
    expect(a.tasks).toMatchObject({ completed: 1, failed: 0, completion_rate: 1 });
    expect(a.slow_queries).toMatchObject({ threshold_ms: 1000, total: 0, recent: [] });
    expect(a.providers.map((p: { name: string }) => p.name)).toContain('coingecko');
  });
});

describe('slow queries', () => {
  let fiml: RunningFiml;
  beforeAll(async () => {
    // A threshold every operation exceeds, so each one is logged.
    fiml = await startFiml({ cache: { warm: false }, slowQueryThresholdMs: 0.000001 });
  });
  afterAll(() => fiml.close());

  it('are counted by operation and the last 100 kept, newest first', async () => {
    for (let i = 0; i < 120; i++) {
      await call(fiml.url, tool('execute_dsl'), {
        query: { query: `GET PRICE OF ${i % 2 ? 'AAPL' : 'MSFT'}` },
      });
    }
    const perf = (await call(fiml.url, '/api/metrics/performance')).body;
    expect(perf.slow_queries.total).toBeGreaterThanOrEqual(120);
    expect(perf.slow_queries.recent).toHaveLength(100);
    expect(perf.slow_queries.recent[0].operation).toBe('execute_dsl');
    expect(perf.slow_queries.recent[0].detail).toBe('query=GET PRICE OF AAPL');
    const expo = parsePrometheus((await call(fiml.url, '/metrics')).text);
    expect(total(expo, 'fiml_slow_queries_total', { operation: 'execute_dsl' })).toBe(120);
  });
});

describe('with monitoring off', () => {
  let fiml: RunningFiml;
  beforeAll(async () => {
    fiml = await startFiml({ cache: { warm: false }, monitoring: false });
  });
  afterAll(() => fiml.close());

  it('serves the same answers and records no request metrics', async () => {
    expect((await call(fiml.url, tool('get_price'), { query: { symbol: 'AAPL' } })).status).toBe(
      200,
    );
    const expo = parsePrometheus((await call(fiml.url, '/metrics')).text);
    expect(find(expo, 'fiml_requests_total')).toHaveLength(0);
    expect(find(expo, 'fiml_provider_requests_total')).toHaveLength(0);
    expect((await call(fiml.url, '/api/metrics/performance')).body.monitoring).toBe(false);
  });
});
