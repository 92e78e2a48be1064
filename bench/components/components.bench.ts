import { bench, group } from 'fiml-perf/bench';
import { generateNarrative } from '../../fiml/analysis/narrative.js';
import { parseQuery } from '../../fiml/dsl/index.js';
import type { Asset } from '../../fiml/index.js';
import { fiml } from '../fixture.js';

type F = Awaited<ReturnType<typeof fiml>>;
const setup = () => fiml();

group('components', () => {
  for (const provider of ['yahoo', 'fmp', 'alpha_vantage', 'ccxt', 'coingecko']) {
    const symbol = provider === 'ccxt' || provider === 'coingecko' ? 'BTC' : 'AAPL';
    // Simulated providers fail now and then (their error rate); a failed call is timed too.
    bench(
      `provider price fetch (${provider})`,
      (f: F) =>
        f.registry
          .get(provider)!
          .getQuote(f.universe.get(symbol) as Asset)
          .catch(() => null),
      { setup },
    );
  }
  bench(
    'registry fetch with fallback (first provider down)',
    (f: F) => {
      const asset = f.universe.get('AAPL') as Asset;
      return f.registry.fetch(asset, 'quote', (p) => p.getQuote(asset)).catch(() => null);
    },
    {
      setup: async () => {
        const f = await fiml();
        f.faults.providerOutages.add('yahoo');
        return f;
      },
    },
  );
  bench(
    'batch provider fetch (5 symbols)',
    (f: F) =>
      Promise.all(
        ['AAPL', 'MSFT', 'TSLA', 'NVDA', 'AMD'].map((s) =>
          f.registry
            .get('yahoo')!
            .getQuote(f.universe.get(s) as Asset)
            .catch(() => null),
        ),
      ),
    { setup },
  );
  bench('cache-manager price lookup', (f: F) => f.data.quote('AAPL'), { setup });

  const narrativeInput = async (style: 'concise' | 'detailed') => {
    const f = await fiml();
    const asset = f.universe.get('AAPL') as Asset;
    const { quote } = await f.data.quote('AAPL');
    return {
      asset,
      quote,
      history: await f.data.history('AAPL'),
      fundamentals: await f.data.fundamentals('AAPL'),
      style,
      includeContext: true,
    };
  };
  bench('narrative generation (concise)', (input) => generateNarrative(input), {
    setup: () => narrativeInput('concise'),
  });
  bench('narrative generation (detailed)', (input) => generateNarrative(input), {
    setup: () => narrativeInput('detailed'),
  });

  const simple = parseQuery('GET PRICE OF AAPL');
  const complex = parseQuery('ANALYZE CORRELATION BETWEEN AAPL AND TSLA PERIOD 30');
  bench('DSL simple execution', (f: F) => f.dsl.execute(simple), { setup });
  bench('DSL complex execution', (f: F) => f.dsl.execute(complex), { setup });
  bench('DSL parse only', () => parseQuery('ANALYZE CORRELATION BETWEEN AAPL AND TSLA PERIOD 30'));

  bench('single task', (f: F) => f.tasks.run('bench', () => 1).catch(() => null), { setup });
  bench(
    'multi-task coordination (10 tasks)',
    (f: F) =>
      Promise.all(
        Array.from({ length: 10 }, (_, i) => f.tasks.run('bench', () => i).catch(() => null)),
      ),
    {
      setup,
    },
  );

  bench(
    'asset serialisation round trip',
    (f: F) => JSON.parse(JSON.stringify(f.universe.get('AAPL'))),
    { setup },
  );
  bench('batch serialisation (318 assets)', (f: F) => JSON.stringify(f.universe.list()), { setup });
  // The keys the cache manager builds: kind:symbol, and kind:symbol@provider for a chosen provider.
  let i = 0;
  bench('simple cache-key generation', () => `price:${i++ & 1 ? 'AAPL' : 'MSFT'}`);
  bench(
    'complex cache-key generation',
    () =>
      `sentiment:${i++ & 1 ? 'AAPL' : 'MSFT'}@yahoo:${new Date(86_400_000 * (i & 7)).toISOString().slice(0, 10)}`,
  );
});
