// L2 (Redis) benchmarks run only when a Redis is given: REDIS_URL=redis://127.0.0.1:6379.
import { bench, group } from 'fiml-perf/bench';
import { L2Cache } from '../../fiml/cache/index.js';
import { FaultState } from '../../fiml/faults.js';

const url = process.env.REDIS_URL;

if (url) {
  const connected = async () => {
    const l2 = new L2Cache(url, new FaultState(), 'fiml-bench:');
    await l2.connect();
    await l2.set('price:AAPL', { symbol: 'AAPL', price: 189.84 }, 60_000);
    return l2;
  };
  group('cache', () => {
    bench(
      'L2 initialisation',
      async () => {
        const l2 = new L2Cache(url, new FaultState(), 'fiml-bench:');
        await l2.connect();
        await l2.close();
      },
      { timeMs: 500 },
    );
    bench('L2 get', (l2) => l2.get('price:AAPL'), {
      setup: connected,
      teardown: (l2) => (l2 as L2Cache).close(),
    });
    bench('L2 set', (l2) => l2.set('price:MSFT', { symbol: 'MSFT', price: 411.2 }, 60_000), {
      setup: connected,
      teardown: (l2) => (l2 as L2Cache).close(),
    });
  });
}
