import { bench, group } from 'fiml-perf/bench';
import { L1Cache } from '../../fiml/cache/index.js';
import { POPULAR_SYMBOLS } from '../../fiml/index.js';
import { fiml } from '../fixture.js';

const KEYS = Array.from({ length: 100 }, (_, i) => `price:SYM${i}`);

function filledL1(): L1Cache {
  const l1 = new L1Cache(10_000);
  for (const key of KEYS) l1.set(key, { price: 1 }, 60_000);
  return l1;
}

group('cache', () => {
  bench('L1 single get', (l1) => l1.get('price:SYM42'), { setup: filledL1 });

  let n = 0;
  bench('L1 single set', (l1) => l1.set(KEYS[n++ % 100] as string, { price: n }, 60_000), {
    setup: filledL1,
  });

  bench(
    'L1 batch get (100 keys)',
    (l1) => {
      let found = 0;
      for (const key of KEYS) if (l1.get(key) !== undefined) found++;
      return found;
    },
    { setup: filledL1 },
  );

  const concurrent = (count: number) => async (f: Awaited<ReturnType<typeof fiml>>) => {
    const reads = [];
    for (let i = 0; i < count; i++)
      reads.push(f.data.quote(POPULAR_SYMBOLS[i % POPULAR_SYMBOLS.length] as string));
    return Promise.all(reads);
  };
  bench('concurrent L1 reads (100)', concurrent(100), { setup: () => fiml() });
  bench('concurrent L1 reads (1000)', concurrent(1000), { setup: () => fiml() });

  bench(
    'hit-rate measurement (100 lookups, 80% warm)',
    async (f) => {
      for (let i = 0; i < 100; i++) {
        const symbol = i % 5 === 4 ? `TEST${i}` : (POPULAR_SYMBOLS[i % 18] as string);
        await f.data.quote(symbol).catch(() => undefined);
      }
      return f.cache.stats().overall.hit_rate;
    },
    { setup: () => fiml() },
  );

  bench('stats retrieval', (f) => f.cache.stats(), { setup: () => fiml() });

  bench(
    'cache-manager batch price retrieval (18 symbols)',
    (f) => Promise.all(POPULAR_SYMBOLS.map((s) => f.data.quote(s))),
    {
      setup: () => fiml(),
    },
  );
});
