import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type RunningFiml } from '../../fiml/index.js';
import { call, startFiml } from '../helpers/fiml.js';

describe('fault injection', () => {
  let plain: RunningFiml;
  let faulty: RunningFiml;
  beforeAll(async () => {
    plain = await startFiml({ cache: { warm: false } });
    faulty = await startFiml({ enableFaultInjection: true, cache: { warm: false } });
  });
  afterAll(async () => {
    await plain.close();
    await faulty.close();
  });

  it('does not exist unless enabled', async () => {
    expect(
      (await call(plain.url, '/admin/faults', { method: 'POST', body: { task_failure_rate: 1 } }))
        .status,
    ).toBe(404);
    expect((await call(faulty.url, '/admin/faults')).status).toBe(200);
  });

  it('takes a provider down: get_price falls back and only that provider loses uptime', async () => {
    const set = await call(faulty.url, '/admin/faults', {
      method: 'POST',
      body: { provider_outages: ['yahoo'] },
    });
    expect(set.body.provider_outages).toEqual(['yahoo']);
    const res = await call(faulty.url, '/mcp/tools/get_price', { query: { symbol: 'GOOGL' } });
    expect(res.status).toBe(200);
    expect(res.body.provider).toBe('fmp');
    expect(res.body.failed_over).toEqual(['yahoo']);
    const providers = (await call(faulty.url, '/health/providers')).body.providers;
    const byName = Object.fromEntries(providers.map((p: { name: string }) => [p.name, p]));
    expect(byName.yahoo).toMatchObject({ status: 'down', errors: 1 });
    expect(byName.fmp).toMatchObject({ errors: 0, uptime: 1 });
    await call(faulty.url, '/admin/faults', { method: 'DELETE' });
  });

  it('takes every provider of an asset type down: clean 503s, then recovery once cleared', async () => {
    await call(faulty.url, '/admin/faults', {
      method: 'POST',
      body: { provider_outages: ['yahoo', 'ccxt', 'coingecko'] },
    });
    const down = await call(faulty.url, '/mcp/tools/get_price', { query: { symbol: 'SOL' } });
    expect(down.status).toBe(503);
    expect(down.body.error).toBe('providers_unavailable');
    const equities = await call(faulty.url, '/mcp/tools/get_price', { query: { symbol: 'AMD' } });
    expect(equities.status).toBe(200);
    const cleared = await call(faulty.url, '/admin/faults', { method: 'DELETE' });
    expect(cleared.body.provider_outages).toEqual([]);
    const back = await call(faulty.url, '/mcp/tools/get_price', { query: { symbol: 'SOL' } });
    expect(back.status).toBe(200);
  });

  it('makes tasks fail, which the completion rate shows', async () => {
    await call(faulty.url, '/admin/faults', { method: 'POST', body: { task_failure_rate: 1 } });
    const res = await call(faulty.url, '/mcp/tools/generate_narrative', {
      query: { symbol: 'AAPL' },
    });
    expect(res.status).toBe(500);
    expect(res.body.error).toBe('task_failed');
    const tasks = (await call(faulty.url, '/api/metrics/tasks')).body;
    expect(tasks.failed).toBeGreaterThanOrEqual(1);
    expect(tasks.completion_rate).toBeLessThan(1);
    await call(faulty.url, '/admin/faults', { method: 'DELETE' });
    expect(
      (await call(faulty.url, '/mcp/tools/generate_narrative', { query: { symbol: 'AAPL' } }))
        .status,
    ).toBe(200);
  });

  it('adds provider latency per provider or for all of them', async () => {
    const set = await call(faulty.url, '/admin/faults', {
      method: 'POST',
      body: { provider_latency_ms: { fmp: 30 } },
    });
    expect(set.body.provider_latency_ms).toEqual({ fmp: 30 });
    await call(faulty.url, '/admin/faults', { method: 'POST', body: { provider_latency_ms: 5 } });
    const faults = faulty.app.fiml.faults;
    expect(faults.addedLatencyMs('fmp')).toBe(35);
    expect(faults.addedLatencyMs('yahoo')).toBe(5);
    const res = await call(faulty.url, '/mcp/tools/get_price', {
      query: { symbol: 'TSLA', provider: 'fmp' },
    });
    expect(res.status).toBe(200);
    await call(faulty.url, '/admin/faults', { method: 'DELETE' });
    expect(faults.addedLatencyMs('fmp')).toBe(0);
  });

  it('rejects unknown providers and malformed faults with a 400', async () => {
    const unknown = await call(faulty.url, '/admin/faults', {
      method: 'POST',
      body: { provider_outages: ['nasdaq'] },
    });
    expect(unknown.status).toBe(400);
    const rate = await call(faulty.url, '/admin/faults', {
      method: 'POST',
      body: { task_failure_rate: 2 },
    });
    expect(rate).toMatchObject({ status: 400, body: { field: 'task_failure_rate' } });
  });

  it('accepts faults only from loopback', async () => {
    const app = await buildApp({
      enableFaultInjection: true,
      latencyScale: 0,
      cache: { warm: false },
    });
    const remote = await app.inject({
      method: 'POST',
      url: '/admin/faults',
      payload: { task_failure_rate: 1 },
      remoteAddress: '192.0.2.10',
    });
    expect(remote.statusCode).toBe(403);
    expect(app.fiml.faults.taskFailureRate).toBeNull();
    await app.close();
  });
});
