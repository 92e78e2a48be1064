import { bench, doNotOptimize, group } from 'fiml-perf/bench';
import { type Asset, AssetUniverse } from '../../fiml/index.js';
import { priceInput } from '../../fiml/routes/schemas.js';

const universe = new AssetUniverse();
const aapl = universe.get('AAPL') as Asset;

group('core', () => {
  // FIML's assets are plain frozen records; "creation" copies one as the universe builds them.
  bench('asset creation', () => ({ ...aapl, symbol: 'NEW1', basePrice: 101.5 }));
  bench('asset validation (get_price input, zod)', () =>
    priceInput.safeParse({ symbol: 'AAPL', provider: 'yahoo' }),
  );
  bench('asset dict conversion', () => Object.fromEntries(Object.entries(aapl)));
  bench('asset JSON serialisation', () => JSON.stringify(aapl));
  bench(
    'batch asset creation (the 318-asset universe)',
    () => doNotOptimize(new AssetUniverse()).list().length,
  );
  bench('crypto asset lookup', () => universe.get('BTC'));
});
