import type { Asset } from '../assets.js';
import { type Bar, roundPrice, simulateHistory } from '../market.js';
import { normal, seededRandom } from '../random.js';

/** Days of hourly bars stored per asset, ending with the daily history's last day. */
export const INTRADAY_DAYS = 30;

/** One row of `market_bars`, columns in table order but time as epoch ms. */
export interface BarRow {
  readonly time: number;
  readonly timeframe: '1d' | '1h';
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

const HOUR_MS = 3_600_000;

/**
 * Hourly bars of one day that open at the day's open and close at its close: a seeded Brownian
 * bridge between the two, kept inside the day's low and high.
 */
function hoursOf(bar: Bar, asset: Asset, random: () => number): BarRow[] {
  const dayStart = Date.parse(`${bar.date}T00:00:00Z`);
  const step = (asset.dailyVolatility / Math.sqrt(24)) * bar.open;
  const rows: BarRow[] = [];
  let price = bar.open;
  const clamp = (p: number) => Math.min(bar.high, Math.max(bar.low, p));
  for (let h = 0; h < 24; h++) {
    const open = price;
    // The bridge's pull makes the 24th close land on the day's close.
    const pull = (bar.close - open) / (24 - h);
    const close = h === 23 ? bar.close : clamp(open + pull + step * normal(random));
    const wick = Math.abs(normal(random)) * step * 0.3;
    rows.push({
      time: dayStart + h * HOUR_MS,
      timeframe: '1h',
      open: roundPrice(open, asset),
      high: roundPrice(Math.min(bar.high, Math.max(open, close) + wick), asset),
      low: roundPrice(Math.max(bar.low, Math.min(open, close) - wick), asset),
      close: roundPrice(close, asset),
      volume: Math.round((bar.volume / 24) * Math.exp(0.2 * normal(random))),
    });
    price = close;
  }
  return rows;
}

/**
 * Every stored bar of one asset: the daily history FIML's providers quote (the same bars, the
 * same seed) and the last INTRADAY_DAYS days in hourly bars.
 */
export function barsOf(asset: Asset, seed: number, endDate: Date): BarRow[] {
  const daily = simulateHistory(asset, seed, endDate);
  const rows: BarRow[] = daily.map((b) => ({
    time: Date.parse(`${b.date}T00:00:00Z`),
    timeframe: '1d',
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    volume: b.volume,
  }));
  const random = seededRandom(seed, 'intraday', asset.symbol);
  for (const bar of daily.slice(-INTRADAY_DAYS)) rows.push(...hoursOf(bar, asset, random));
  return rows;
}
