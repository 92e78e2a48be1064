import type { Asset } from '../assets.js';
import type { Bar } from '../market.js';
import { seededRandom } from '../random.js';

export interface Fundamentals {
  readonly symbol: string;
  readonly name: string;
  readonly asset_type: string;
  readonly sector: string;
  readonly price: number;
  readonly market_cap: number;
  readonly week52_high: number;
  readonly week52_low: number;
  readonly avg_volume_30d: number;
  /** Equities only; null for crypto. */
  readonly pe_ratio: number | null;
  readonly eps: number | null;
  readonly revenue: number | null;
  readonly profit_margin: number | null;
  readonly dividend_yield: number | null;
  readonly beta: number | null;
  /** Crypto only; null for equities. */
  readonly circulating_supply: number | null;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Seeded company or coin figures, consistent with the simulated price: the same symbol and seed
 * always give the same P/E, share count, margins. FX pairs have no fundamentals (null).
 */
export function computeFundamentals(
  asset: Asset,
  history: readonly Bar[],
  seed: number,
): Fundamentals | null {
  if (asset.type === 'fx') return null;
  const random = seededRandom(seed, 'fundamentals', asset.symbol);
  const last = history[history.length - 1]!;
  const year = history.slice(-252);
  const month = history.slice(-30);
  const common = {
    symbol: asset.symbol,
    name: asset.name,
    asset_type: asset.type,
    sector: asset.sector,
    price: last.close,
    week52_high: Math.max(...year.map((b) => b.high)),
    week52_low: Math.min(...year.map((b) => b.low)),
    avg_volume_30d: Math.round(month.reduce((s, b) => s + b.volume, 0) / month.length),
  };
  if (asset.type === 'crypto') {
    const supply = Math.round((1e7 + random() * 1e9) / Math.sqrt(asset.basePrice));
    return {
      ...common,
      market_cap: Math.round(supply * last.close),
      pe_ratio: null,
      eps: null,
      revenue: null,
      profit_margin: null,
      dividend_yield: null,
      beta: null,
      circulating_supply: supply,
    };
  }
  const shares = Math.round(2e8 + random() * 1.5e10);
  const pe = round(8 + random() * 52);
  const marketCap = Math.round(shares * last.close);
  const margin = round(0.03 + random() * 0.32, 4);
  const earnings = marketCap / pe;
  return {
    ...common,
    market_cap: marketCap,
    pe_ratio: pe,
    eps: round(last.close / pe),
    revenue: Math.round(earnings / margin),
    profit_margin: margin,
    dividend_yield: random() < 0.4 ? 0 : round(random() * 0.035, 4),
    beta: round(0.6 + random() * 1.4),
    circulating_supply: null,
  };
}
