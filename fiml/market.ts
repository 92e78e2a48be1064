import type { Asset } from './assets.js';
import { normal, seededRandom } from './random.js';

export interface Bar {
  /** ISO date, YYYY-MM-DD. */
  readonly date: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Days of history simulated per symbol: a year and a half of trading, enough for any period. */
export const HISTORY_DAYS = 500;

const DAY_MS = 86_400_000;

/** A price rounded as the asset is quoted: 5 digits for FX, 6 under 1, else cents. */
export function roundPrice(value: number, asset: Asset): number {
  const digits = asset.type === 'fx' ? 5 : asset.basePrice < 1 ? 6 : 2;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * The "true" daily history of an asset: a seeded geometric random walk, the same for the same
 * symbol and seed wherever it runs. Providers quote it with their own small bias.
 */
export function simulateHistory(asset: Asset, seed: number, endDate: Date): Bar[] {
  const random = seededRandom(seed, 'history', asset.symbol);
  const bars: Bar[] = [];
  let close = asset.basePrice;
  const end = Date.UTC(endDate.getUTCFullYear(), endDate.getUTCMonth(), endDate.getUTCDate());
  for (let i = HISTORY_DAYS - 1; i >= 0; i--) {
    const open = close;
    const drift = 0.0003;
    close = open * Math.exp(drift + asset.dailyVolatility * normal(random));
    const wick = asset.dailyVolatility * 0.5;
    const high = Math.max(open, close) * (1 + Math.abs(normal(random)) * wick);
    const low = Math.min(open, close) * (1 - Math.abs(normal(random)) * wick);
    const volume = Math.round(asset.baseVolume * Math.exp(0.3 * normal(random)));
    bars.push({
      date: new Date(end - i * DAY_MS).toISOString().slice(0, 10),
      open: roundPrice(open, asset),
      high: roundPrice(high, asset),
      low: roundPrice(low, asset),
      close: roundPrice(close, asset),
      volume,
    });
  }
  return bars;
}
