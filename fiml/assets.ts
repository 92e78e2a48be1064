import { mulberry32, pick } from './random.js';

export type AssetType = 'equity' | 'crypto' | 'fx';

export const ASSET_TYPES: readonly AssetType[] = ['equity', 'crypto', 'fx'];

export interface Asset {
  readonly symbol: string;
  readonly name: string;
  readonly type: AssetType;
  readonly exchange: string;
  readonly currency: string;
  readonly sector: string;
  /** Price on the first day of the simulated history. */
  readonly basePrice: number;
  /** Daily volatility of log returns. */
  readonly dailyVolatility: number;
  /** Typical daily volume in units of the asset. */
  readonly baseVolume: number;
}

type Seed = readonly [symbol: string, name: string, basePrice: number, sector: string];

const EQUITIES: readonly Seed[] = [
  ['AAPL', 'Apple Inc.', 150, 'Technology'],
  ['TSLA', 'Tesla Inc.', 220, 'Automotive'],
  ['MSFT', 'Microsoft Corp.', 330, 'Technology'],
  ['GOOGL', 'Alphabet Inc.', 130, 'Communication Services'],
  ['AMZN', 'Amazon.com Inc.', 140, 'Consumer Discretionary'],
  ['META', 'Meta Platforms Inc.', 310, 'Communication Services'],
  ['NVDA', 'NVIDIA Corp.', 450, 'Technology'],
  ['AMD', 'Advanced Micro Devices Inc.', 110, 'Technology'],
];
const CRYPTO: readonly Seed[] = [
  ['BTC', 'Bitcoin', 42000, 'Crypto'],
  ['ETH', 'Ethereum', 2300, 'Crypto'],
  ['SOL', 'Solana', 95, 'Crypto'],
  ['AVAX', 'Avalanche', 35, 'Crypto'],
  ['LINK', 'Chainlink', 15, 'Crypto'],
  ['UNI', 'Uniswap', 6.5, 'Crypto'],
];
const FX: readonly Seed[] = [
  ['EURUSD', 'Euro / US Dollar', 1.09, 'FX'],
  ['GBPUSD', 'British Pound / US Dollar', 1.27, 'FX'],
  ['USDJPY', 'US Dollar / Japanese Yen', 148, 'FX'],
  ['AUDUSD', 'Australian Dollar / US Dollar', 0.66, 'FX'],
];

const SECTORS = [
  'Technology',
  'Healthcare',
  'Financials',
  'Energy',
  'Industrials',
  'Utilities',
  'Materials',
  'Consumer Staples',
  'Real Estate',
];

/** How many generated equities the universe holds beside the named ones. */
export const GENERATED_EQUITIES = 300;

/** Generated tickers come from a fixed seed, so the universe is the same for every price seed. */
const UNIVERSE_SEED = 0x46494d4c;

function equity([symbol, name, basePrice, sector]: Seed, exchange: string): Asset {
  return {
    symbol,
    name,
    type: 'equity',
    exchange,
    currency: 'USD',
    sector,
    basePrice,
    dailyVolatility: 0.018,
    baseVolume: 40_000_000,
  };
}

function buildUniverse(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const seed of EQUITIES) assets.set(seed[0], equity(seed, 'NASDAQ'));
  for (const [symbol, name, basePrice, sector] of CRYPTO) {
    assets.set(symbol, {
      symbol,
      name,
      type: 'crypto',
      exchange: 'CRYPTO',
      currency: 'USD',
      sector,
      basePrice,
      dailyVolatility: 0.04,
      baseVolume: 2_000_000_000 / basePrice,
    });
  }
  for (const [symbol, name, basePrice, sector] of FX) {
    assets.set(symbol, {
      symbol,
      name,
      type: 'fx',
      exchange: 'FX',
      currency: symbol.slice(3),
      sector,
      basePrice,
      dailyVolatility: 0.005,
      baseVolume: 1_000_000_000,
    });
  }
  const random = mulberry32(UNIVERSE_SEED);
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let generated = 0;
  while (generated < GENERATED_EQUITIES) {
    const length = 3 + Math.floor(random() * 2);
    let symbol = '';
    for (let i = 0; i < length; i++) symbol += pick(random, [...letters]);
    if (assets.has(symbol) || symbol.startsWith('TEST')) continue;
    const basePrice = Math.round((5 + random() * 295) * 100) / 100;
    const asset = equity(
      [
        symbol,
        `${symbol[0]}${symbol.slice(1).toLowerCase()} Holdings`,
        basePrice,
        pick(random, SECTORS),
      ],
      random() < 0.5 ? 'NASDAQ' : 'NYSE',
    );
    assets.set(symbol, {
      ...asset,
      dailyVolatility: 0.01 + random() * 0.03,
      baseVolume: 200_000 + random() * 20_000_000,
    });
    generated++;
  }
  return assets;
}

/** Named symbols are warmed into the cache at start and make up most of the standard traffic. */
export const POPULAR_SYMBOLS: readonly string[] = [...EQUITIES, ...CRYPTO, ...FX].map((s) => s[0]);

/** The fixed set of assets FIML knows; anything else is an unknown symbol. */
export class AssetUniverse {
  readonly #assets = buildUniverse();

  /** The asset for a symbol (case-insensitive), or undefined when FIML does not know it. */
  get(symbol: string): Asset | undefined {
    return this.#assets.get(symbol.toUpperCase());
  }

  list(): Asset[] {
    return [...this.#assets.values()];
  }

  get size(): number {
    return this.#assets.size;
  }
}
