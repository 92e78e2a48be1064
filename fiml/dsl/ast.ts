/** The FK-DSL syntax tree: what the parser produces and the executor consumes. */

export type IndicatorName = 'rsi' | 'sma' | 'ema' | 'macd' | 'volatility';
export type AnalyzeFocus = 'technicals' | 'fundamentals' | 'sentiment';
export type Comparator = '>' | '<' | '>=' | '<=' | '=' | '!=';

/** A metric with optional arguments: `PRICE`, `VOLATILITY(30d)`, `TECHNICAL(RSI, MACD)`. */
export interface MetricRef {
  readonly name: string;
  readonly args: readonly (number | string)[];
}

export type Expr =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'metric'; readonly metric: MetricRef }
  | { readonly kind: 'negate'; readonly operand: Expr }
  | {
      readonly kind: 'binary';
      readonly op: '+' | '-' | '*' | '/';
      readonly left: Expr;
      readonly right: Expr;
    };

export type Condition =
  | { readonly kind: 'compare'; readonly op: Comparator; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition };

export interface Holding {
  readonly symbol: string;
  readonly weight: number;
}

export type Query =
  | {
      readonly type: 'get_price';
      readonly symbols: readonly string[];
      readonly currency: string | null;
    }
  | { readonly type: 'technicals'; readonly symbol: string }
  | {
      readonly type: 'indicator';
      readonly indicator: IndicatorName;
      readonly symbol: string;
      readonly period: number | null;
    }
  | {
      readonly type: 'compare';
      readonly symbols: readonly string[];
      readonly metrics: readonly MetricRef[];
    }
  | { readonly type: 'portfolio'; readonly holdings: readonly Holding[] }
  | { readonly type: 'analyze'; readonly symbol: string; readonly focus: AnalyzeFocus }
  | {
      readonly type: 'correlation';
      readonly symbols: readonly [string, string];
      readonly period: number | null;
    }
  | { readonly type: 'find'; readonly symbols: readonly string[]; readonly condition: Condition }
  | { readonly type: 'track'; readonly symbol: string; readonly condition: Condition }
  | { readonly type: 'evaluate'; readonly symbol: string; readonly metrics: readonly MetricRef[] }
  | { readonly type: 'scan'; readonly universe: string; readonly condition: Condition };

export type QueryType = Query['type'];

/** Metrics the executor can compute; the parser rejects any other name. */
export const METRICS = [
  'PRICE',
  'CHANGE',
  'CHANGE_PERCENT',
  'VOLUME',
  'AVG_VOLUME',
  'LIQUIDITY',
  'RETURN',
  'HIGH',
  'LOW',
  'RSI',
  'SMA',
  'EMA',
  'MACD',
  'VOLATILITY',
  'MARKET_CAP',
  'PE',
  'SENTIMENT',
  'TECHNICAL',
  'FUNDAMENTALS',
] as const;
