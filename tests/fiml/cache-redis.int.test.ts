import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { buildApp } from '../../fiml/index.js';
import { call, startFiml } from '../helpers/fiml.js';
import { hasRedis, type PrivateRedis, startRedis } from '../helpers/redis.js';

describe.skipIf(!hasRedis)('L2 cache on a real Redis', () => {
  let redis: PrivateRedis;
  let a: RunningFiml;
  let b: RunningFiml;
  beforeAll(async () => {
    redis = await startRedis();
    const options = { redisUrl: redis.url, enableFaultInjection: true, cache: { warm: false } };
    a = await startFiml(options);
    b = await startFiml(options);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  it('reads through L1 then L2: what one instance loaded, another finds in Redis', async () => {
    const first = await call(a.url, '/mcp/tools/get_price', { query: { symbol: 'META' } });
    expect(first.body.cache_layer).toBeNull();
    const fromL2 = await call(b.url, '/mcp/tools/get_price', { query: { symbol: 'META' } });
    expect(fromL2.body).toMatchObject({ cached: true, cache_layer: 'l2', price: first.body.price });
    const fromL1 = await call(b.url, '/mcp/tools/get_price', { query: { symbol: 'META' } });
    expect(fromL1.body.cache_layer).toBe('l1');
    const stats = (await call(b.url, '/api/metrics/cache')).body;
    expect(stats.l2).toMatchObject({ enabled: true, connected: true, hits: 1 });
    expect(stats.l1.hits).toBe(1);
  });

  it('keeps serving from L1 and the providers when L2 fails, and counts the errors', async () => {
    await call(a.url, '/admin/faults', { method: 'POST', body: { l2_cache_failure: true } });
    const health = await call(a.url, '/health/cache');
    expect(health.body.status).toBe('degraded');
    const res = await call(a.url, '/mcp/tools/get_price', { query: { symbol: 'AMZN' } });
    expect(res.status).toBe(200);
    expect(res.body.cache_layer).toBeNull();
    const again = await call(a.url, '/mcp/tools/get_price', { query: { symbol: 'AMZN' } });
    expect(again.body.cache_layer).toBe('l1');
    expect((await call(a.url, '/api/metrics/cache')).body.l2.errors).toBeGreaterThan(0);
    await call(a.url, '/admin/faults', { method: 'DELETE' });
    expect((await call(a.url, '/health/cache')).body.status).toBe('healthy');
  });

  it('refuses to start when Redis does not answer', async () => {
    await expect(
      buildApp({ redisUrl: 'redis://127.0.0.1:1', cache: { warm: false } }),
    ).rejects.toThrow(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
