import {
  correlation,
  ema,
  logReturns,
  macd,
  mean,
  rsi,
  sma,
  volatility,
} from '../analysis/index.js';
import type { AnalysisService } from '../analysis-service.js';
import { BadRequestError } from '../errors.js';
import type { MarketDataService } from '../market-data.js';
import type { Condition, Expr, IndicatorName, MetricRef, Query } from './ast.js';

type MetricValue = number | null | Readonly<Record<string, number | null>>;

const DEFAULT_PERIOD: Readonly<Record<IndicatorName, number>> = {
  rsi: 14,
  sma: 20,
  ema: 20,
  macd: 26,
  volatility: 30,
};

/** Scans report at most this many matches (and how many matched in all). */
const MAX_SCAN_MATCHES = 50;

const EXCHANGES = ['NASDAQ', 'NYSE', 'CRYPTO', 'FX', 'ALL'];

const r = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits;

function semantic(message: string): BadRequestError {
  return new BadRequestError('query', message);
}

/** Computes what a parsed FK-DSL query asks, from provider data read through the cache. */
export class DslExecutor {
  readonly #data: MarketDataService;
  readonly #analysis: AnalysisService;

  constructor(data: MarketDataService, analysis: AnalysisService) {
    this.#data = data;
    this.#analysis = analysis;
  }

  /** @throws UnknownSymbolError, BadRequestError for queries that parse but cannot be answered */
  async execute(query: Query): Promise<unknown> {
    switch (query.type) {
      case 'get_price': {
        if (query.currency !== null && query.currency !== 'USD') {
          const assets = query.symbols.map((s) => this.#data.asset(s));
          if (assets.some((a) => a.currency !== query.currency)) {
            throw semantic(
              `prices are quoted in each asset's own currency; IN ${query.currency} is not supported`,
            );
          }
        }
        const quotes = await Promise.all(query.symbols.map((s) => this.#data.quote(s)));
        return { prices: quotes.map((q) => q.quote), currency: query.currency ?? 'USD' };
      }
      case 'technicals':
        return {
          symbol: this.#data.asset(query.symbol).symbol,
          indicators: await this.#technicals(query.symbol),
        };
      case 'indicator': {
        const period = query.period ?? DEFAULT_PERIOD[query.indicator];
        const value = await this.#metric(query.symbol, {
          name: query.indicator.toUpperCase(),
          args: query.indicator === 'macd' ? [] : [period],
        });
        return {
          symbol: this.#data.asset(query.symbol).symbol,
          indicator: query.indicator,
          period,
          value,
        };
      }
      case 'compare': {
        const rows = await Promise.all(
          query.symbols.map(async (symbol) => ({
            symbol: this.#data.asset(symbol).symbol,
            metrics: await this.#metrics(symbol, query.metrics),
          })),
        );
        return { comparison: rows, metrics: query.metrics.map(label) };
      }
      case 'portfolio':
        return this.#analysis.portfolio(
          query.holdings.map((h) => h.symbol),
          query.holdings.map((h) => h.weight),
        );
      case 'analyze':
        if (query.focus === 'fundamentals') return this.#analysis.fundamentals(query.symbol);
        if (query.focus === 'sentiment') return this.#analysis.sentiment(query.symbol);
        return {
          symbol: this.#data.asset(query.symbol).symbol,
          indicators: await this.#technicals(query.symbol),
        };
      case 'correlation': {
        const period = query.period ?? 30;
        const [a, b] = await Promise.all(query.symbols.map((s) => this.#closes(s)));
        const ra = logReturns(a!.slice(-(period + 1)));
        const rb = logReturns(b!.slice(-(period + 1)));
        return {
          symbols: query.symbols.map((s) => this.#data.asset(s).symbol),
          period,
          correlation: r(correlation(ra, rb)),
        };
      }
      case 'find': {
        const checked = await Promise.all(
          query.symbols.map(async (s) => [s, await this.#test(s, query.condition)] as const),
        );
        return {
          matches: checked.filter(([, ok]) => ok).map(([s]) => this.#data.asset(s).symbol),
          checked: checked.length,
        };
      }
      case 'track': {
        const symbol = this.#data.asset(query.symbol).symbol;
        const quote = await this.#data.quote(symbol);
        return {
          symbol,
          triggered: await this.#test(symbol, query.condition),
          price: quote.quote.price,
        };
      }
      case 'evaluate':
        return {
          symbol: this.#data.asset(query.symbol).symbol,
          metrics: await this.#metrics(query.symbol, query.metrics),
        };
      case 'scan': {
        if (!EXCHANGES.includes(query.universe)) {
          throw semantic(`unknown exchange ${query.universe}; one of ${EXCHANGES.join(', ')}`);
        }
        const assets = this.#data.universe
          .list()
          .filter((a) => query.universe === 'ALL' || a.exchange === query.universe);
        const tested = await Promise.all(
          assets.map(async (a) => [a.symbol, await this.#test(a.symbol, query.condition)] as const),
        );
        const matches = tested.filter(([, ok]) => ok).map(([s]) => s);
        return {
          universe: query.universe,
          scanned: assets.length,
          matched: matches.length,
          matches: matches.slice(0, MAX_SCAN_MATCHES),
        };
      }
    }
  }

  async #technicals(symbol: string): Promise<Record<string, MetricValue>> {
    const names = ['RSI', 'SMA', 'EMA', 'MACD', 'VOLATILITY'];
    return this.#metrics(
      symbol,
      names.map((name) => ({ name, args: [] })),
    );
  }

  async #metrics(
    symbol: string,
    metrics: readonly MetricRef[],
  ): Promise<Record<string, MetricValue>> {
    const out: Record<string, MetricValue> = {};
    for (const m of metrics) out[label(m)] = await this.#metric(symbol, m);
    return out;
  }

  async #closes(symbol: string): Promise<number[]> {
    return (await this.#data.history(symbol)).map((b) => b.close);
  }

  async #metric(symbol: string, ref: MetricRef): Promise<MetricValue> {
    const days = ref.args.find((a): a is number => typeof a === 'number');
    const period = (fallback: number) => {
      const p = days ?? fallback;
      if (!Number.isInteger(p) || p < 1 || p > 365)
        throw semantic(`${label(ref)}: period must be 1 to 365 days`);
      return p;
    };
    const history = await this.#data.history(symbol);
    const closes = history.map((b) => b.close);
    switch (ref.name) {
      case 'PRICE':
        return (await this.#data.quote(symbol)).quote.price;
      case 'CHANGE':
        return (await this.#data.quote(symbol)).quote.change;
      case 'CHANGE_PERCENT':
        return (await this.#data.quote(symbol)).quote.change_percent;
      case 'VOLUME':
        return days === undefined
          ? history.at(-1)!.volume
          : Math.round(mean(history.slice(-period(1)).map((b) => b.volume)));
      case 'AVG_VOLUME':
        return Math.round(mean(history.slice(-period(30)).map((b) => b.volume)));
      case 'LIQUIDITY':
        return Math.round(mean(history.slice(-period(30)).map((b) => b.volume * b.close)));
      case 'RETURN': {
        const p = period(30);
        return r(closes.at(-1)! / closes.at(-1 - p)! - 1);
      }
      case 'HIGH':
        return Math.max(...history.slice(-period(252)).map((b) => b.high));
      case 'LOW':
        return Math.min(...history.slice(-period(252)).map((b) => b.low));
      case 'RSI':
        return r(rsi(closes, period(14)), 2);
      case 'SMA':
        return r(sma(closes, period(20)).at(-1)!);
      case 'EMA':
        return r(ema(closes, period(20)).at(-1)!);
      case 'MACD': {
        const m = macd(closes);
        return { macd: r(m.macd), signal: r(m.signal), histogram: r(m.histogram) };
      }
      case 'VOLATILITY':
        return r(volatility(closes, period(30)).annualized);
      case 'MARKET_CAP':
        return (await this.#data.fundamentals(symbol))?.market_cap ?? null;
      case 'PE':
        return (await this.#data.fundamentals(symbol))?.pe_ratio ?? null;
      case 'SENTIMENT':
        return (await this.#data.sentiment(symbol)).score;
      case 'TECHNICAL': {
        const names = ref.args.length === 0 ? ['RSI', 'MACD'] : ref.args.map(String);
        const out: Record<string, number | null> = {};
        for (const name of names) {
          const value = await this.#metric(symbol, { name, args: [] });
          if (value !== null && typeof value === 'object') {
            for (const [k, v] of Object.entries(value)) out[`${name}_${k.toUpperCase()}`] = v;
          } else {
            out[name] = value;
          }
        }
        return out;
      }
      case 'FUNDAMENTALS': {
        const f = await this.#data.fundamentals(symbol);
        return f
          ? {
              market_cap: f.market_cap,
              pe_ratio: f.pe_ratio,
              eps: f.eps,
              dividend_yield: f.dividend_yield,
            }
          : null;
      }
      default:
        throw semantic(`unknown metric ${ref.name}`);
    }
  }

  async #test(symbol: string, condition: Condition): Promise<boolean> {
    if (condition.kind !== 'compare') {
      const left = await this.#test(symbol, condition.left);
      if (condition.kind === 'and' ? !left : left) return left;
      return this.#test(symbol, condition.right);
    }
    const left = await this.#value(symbol, condition.left);
    const right = await this.#value(symbol, condition.right);
    if (left === null || right === null) return false;
    switch (condition.op) {
      case '>':
        return left > right;
      case '<':
        return left < right;
      case '>=':
        return left >= right;
      case '<=':
        return left <= right;
      case '=':
        return left === right;
      case '!=':
        return left !== right;
    }
  }

  async #value(symbol: string, expr: Expr): Promise<number | null> {
    switch (expr.kind) {
      case 'number':
        return expr.value;
      case 'negate': {
        const v = await this.#value(symbol, expr.operand);
        return v === null ? null : -v;
      }
      case 'metric': {
        const v = await this.#metric(symbol, expr.metric);
        if (v !== null && typeof v === 'object') {
          throw semantic(`${label(expr.metric)} is not a single number and cannot be compared`);
        }
        return v;
      }
      case 'binary': {
        const a = await this.#value(symbol, expr.left);
        const b = await this.#value(symbol, expr.right);
        if (a === null || b === null) return null;
        if (expr.op === '+') return a + b;
        if (expr.op === '-') return a - b;
        if (expr.op === '*') return a * b;
        return b === 0 ? null : a / b;
      }
    }
  }
}

/** The metric as written back: `VOLATILITY(30D)`. */
function label(m: MetricRef): string {
  return m.args.length === 0
    ? m.name
    : `${m.name}(${m.args.map((a) => (typeof a === 'number' ? `${a}d` : a)).join(', ')})`;
}
