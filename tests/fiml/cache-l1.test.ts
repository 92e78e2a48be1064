import { describe, expect, it } from 'vitest';
import { CacheManager, L1Cache } from '../../fiml/cache/index.js';

class ManualClock {
  ms = 1_000;
  now(): number {
    return this.ms;
  }
}

function counter() {
  let calls = 0;
  const load = async () => {
    calls++;
    return { value: calls };
  };
  return { load, calls: () => calls };
}

describe('L1 cache and read-through', () => {
  it('loads once, then answers from L1 and counts a miss then hits', async () => {
    const cache = new CacheManager({ l1: new L1Cache(100) });
    const source = counter();
    const first = await cache.getOrLoad('price', 'AAPL', source.load);
    const second = await cache.getOrLoad('price', 'AAPL', source.load);
    expect(first).toEqual({ value: { value: 1 }, source: 'source' });
    expect(second).toEqual({ value: { value: 1 }, source: 'l1' });
    expect(source.calls()).toBe(1);
    expect(cache.stats().l1).toMatchObject({ hits: 1, misses: 1, hit_rate: 0.5, size: 1 });
  });

  it('expires entries after the TTL of their data type, not before', async () => {
    const clock = new ManualClock();
    const cache = new CacheManager({
      l1: new L1Cache(100, clock),
      ttlSeconds: { price: 10, fundamentals: 3600 },
    });
    const price = counter();
    const fundamentals = counter();
    await cache.getOrLoad('price', 'AAPL', price.load);
    await cache.getOrLoad('fundamentals', 'AAPL', fundamentals.load);
    clock.ms += 9_000;
    await cache.getOrLoad('price', 'AAPL', price.load);
    expect(price.calls()).toBe(1);
    clock.ms += 2_000; // 11 s: past the price TTL, far inside the fundamentals one
    await cache.getOrLoad('price', 'AAPL', price.load);
    await cache.getOrLoad('fundamentals', 'AAPL', fundamentals.load);
    expect(price.calls()).toBe(2);
    expect(fundamentals.calls()).toBe(1);
  });

  it('evicts the least recently used entry when full', async () => {
    const cache = new CacheManager({ l1: new L1Cache(2) });
    const source = counter();
    await cache.getOrLoad('price', 'A', source.load);
    await cache.getOrLoad('price', 'B', source.load);
    await cache.getOrLoad('price', 'A', source.load); // A is now the most recent
    await cache.getOrLoad('price', 'C', source.load); // evicts B
    expect(cache.stats().l1.size).toBe(2);
    await cache.getOrLoad('price', 'A', source.load);
    expect(source.calls()).toBe(3);
    await cache.getOrLoad('price', 'B', source.load);
    expect(source.calls()).toBe(4);
  });

  it('shares one load between concurrent misses of the same key', async () => {
    const cache = new CacheManager({ l1: new L1Cache(100) });
    let calls = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const load = async () => {
      calls++;
      await gate;
      return 'v';
    };
    const pending = Promise.all([1, 2, 3].map(() => cache.getOrLoad('price', 'K', load)));
    release();
    const results = await pending;
    expect(calls).toBe(1);
    expect(results.map((r) => r.value)).toEqual(['v', 'v', 'v']);
  });

  it('does not cache a failed load', async () => {
    const cache = new CacheManager({ l1: new L1Cache(100) });
    await expect(
      cache.getOrLoad('price', 'X', () => Promise.reject(new Error('down'))),
    ).rejects.toThrow('down');
    const ok = await cache.getOrLoad('price', 'X', async () => 'fine');
    expect(ok.source).toBe('source');
  });

  it('warms without counting lookups', async () => {
    const cache = new CacheManager({ l1: new L1Cache(100) });
    await cache.set('price', 'AAPL', 1);
    expect(cache.stats().l1).toMatchObject({ hits: 0, misses: 0, size: 1 });
    expect((await cache.getOrLoad('price', 'AAPL', async () => 2)).value).toBe(1);
  });
});
