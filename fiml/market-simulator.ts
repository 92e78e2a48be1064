import type { Asset } from './assets.js';
import { type Bar, simulateHistory } from './market.js';

/** Memoises each asset's simulated history for one seed and one end date. */
export class MarketSimulator {
  readonly #histories = new Map<string, Bar[]>();
  readonly #seed: number;
  readonly #endDate: Date;

  constructor(seed: number, endDate: Date = new Date()) {
    this.#seed = seed;
    this.#endDate = endDate;
  }

  get seed(): number {
    return this.#seed;
  }

  history(asset: Asset): Bar[] {
    let bars = this.#histories.get(asset.symbol);
    if (!bars) {
      bars = simulateHistory(asset, this.#seed, this.#endDate);
      this.#histories.set(asset.symbol, bars);
    }
    return bars;
  }
}
