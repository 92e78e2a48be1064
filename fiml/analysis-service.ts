import {
  analyzePortfolio,
  type Fundamentals,
  generateNarrative,
  type Narrative,
  type NarrativeStyle,
  type PortfolioAnalysis,
  type Sentiment,
} from './analysis/index.js';
import { BadRequestError } from './errors.js';
import type { MarketDataService } from './market-data.js';
import type { TaskPool } from './tasks/index.js';

/** Told how long each narrative took, by style. */
export interface NarrativeObserver {
  onNarrative(style: NarrativeStyle, seconds: number): void;
}

/** Most holdings a portfolio may have; each one costs a history and a row of the matrix. */
export const MAX_HOLDINGS = 50;
const WEIGHT_TOLERANCE = 1e-6;

/** Deep analysis: each call runs as a task in the bounded pool. */
export class AnalysisService {
  readonly #data: MarketDataService;
  readonly #tasks: TaskPool;
  readonly #observer: NarrativeObserver | undefined;

  constructor(data: MarketDataService, tasks: TaskPool, observer?: NarrativeObserver) {
    this.#data = data;
    this.#tasks = tasks;
    this.#observer = observer;
  }

  narrative(symbol: string, style: NarrativeStyle, includeContext: boolean): Promise<Narrative> {
    const asset = this.#data.asset(symbol);
    return this.#tasks.run('narrative', async () => {
      const [quote, history, fundamentals] = await Promise.all([
        this.#data.quote(asset.symbol),
        this.#data.history(asset.symbol),
        this.#data.fundamentals(asset.symbol),
      ]);
      const started = performance.now();
      const narrative = generateNarrative({
        asset,
        quote: quote.quote,
        history,
        fundamentals,
        style,
        includeContext,
      });
      this.#observer?.onNarrative(style, (performance.now() - started) / 1000);
      return narrative;
    });
  }

  sentiment(symbol: string): Promise<Sentiment> {
    const asset = this.#data.asset(symbol);
    return this.#tasks.run('sentiment', () => this.#data.sentiment(asset.symbol));
  }

  /** @throws BadRequestError for FX pairs, which have no fundamentals */
  async fundamentals(symbol: string): Promise<Fundamentals> {
    const asset = this.#data.asset(symbol);
    const fundamentals = await this.#data.fundamentals(asset.symbol);
    if (!fundamentals) {
      throw new BadRequestError(
        'symbol',
        `${asset.symbol} is an FX pair; fundamentals exist for equities and crypto`,
      );
    }
    return fundamentals;
  }

  /**
   * Validates holdings (known, unique symbols; weights >= 0 summing to 1) and analyses them.
   * @throws BadRequestError naming the field at fault
   */
  portfolio(symbols: readonly string[], weights: readonly number[]): Promise<PortfolioAnalysis> {
    checkHoldings(symbols, weights);
    const assets = symbols.map((s) => this.#data.asset(s));
    return this.#tasks.run('portfolio', async () => {
      const histories = await Promise.all(assets.map((a) => this.#data.history(a.symbol)));
      return analyzePortfolio(
        assets.map((a, i) => ({ symbol: a.symbol, weight: weights[i]!, history: histories[i]! })),
      );
    });
  }
}

function checkHoldings(symbols: readonly string[], weights: readonly number[]): void {
  if (symbols.length === 0) throw new BadRequestError('symbols', 'at least one symbol is required');
  if (symbols.length > MAX_HOLDINGS)
    throw new BadRequestError('symbols', `at most ${MAX_HOLDINGS} symbols`);
  if (weights.length !== symbols.length) {
    throw new BadRequestError(
      'weights',
      `${weights.length} weights for ${symbols.length} symbols; give one weight per symbol`,
    );
  }
  const upper = symbols.map((s) => s.toUpperCase());
  const duplicate = upper.find((s, i) => upper.indexOf(s) !== i);
  if (duplicate) throw new BadRequestError('symbols', `${duplicate} appears twice`);
  if (weights.some((w) => !Number.isFinite(w) || w < 0)) {
    throw new BadRequestError('weights', 'each weight must be a number >= 0');
  }
  const sum = weights.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > WEIGHT_TOLERANCE * Math.max(1, symbols.length)) {
    throw new BadRequestError('weights', `weights must sum to 1, got ${Number(sum.toFixed(6))}`);
  }
}
