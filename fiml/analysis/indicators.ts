/** Too few values for the period asked. */
export class InsufficientDataError extends RangeError {
  constructor(what: string, needed: number, got: number) {
    super(`${what} needs at least ${needed} values, got ${got}`);
    this.name = 'InsufficientDataError';
  }
}

function need(what: string, values: readonly number[], needed: number): void {
  if (values.length < needed) throw new InsufficientDataError(what, needed, values.length);
}

function checkPeriod(period: number): void {
  if (!Number.isInteger(period) || period < 1)
    throw new RangeError(`period must be a positive integer, got ${period}`);
}

/** Simple moving averages: one per window, the last one is the latest. */
export function sma(values: readonly number[], period: number): number[] {
  checkPeriod(period);
  need('SMA', values, period);
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= period) sum -= values[i - period]!;
    if (i >= period - 1) out.push(sum / period);
  }
  return out;
}

/** Exponential moving averages (alpha = 2 / (period + 1)), seeded with the first window's SMA. */
export function ema(values: readonly number[], period: number): number[] {
  checkPeriod(period);
  need('EMA', values, period);
  const alpha = 2 / (period + 1);
  let current = values.slice(0, period).reduce((a, b) => a + b, 0) / period;
  const out = [current];
  for (let i = period; i < values.length; i++) {
    current = alpha * values[i]! + (1 - alpha) * current;
    out.push(current);
  }
  return out;
}

/** The latest Relative Strength Index with Wilder's smoothing, in [0, 100]. */
export function rsi(closes: readonly number[], period = 14): number {
  checkPeriod(period);
  need('RSI', closes, period + 1);
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i++) {
    const change = closes[i]! - closes[i - 1]!;
    if (change > 0) gain += change;
    else loss -= change;
  }
  gain /= period;
  loss /= period;
  for (let i = period + 1; i < closes.length; i++) {
    const change = closes[i]! - closes[i - 1]!;
    gain = (gain * (period - 1) + Math.max(change, 0)) / period;
    loss = (loss * (period - 1) + Math.max(-change, 0)) / period;
  }
  if (loss === 0) return gain === 0 ? 50 : 100;
  return 100 - 100 / (1 + gain / loss);
}

export interface Macd {
  readonly macd: number;
  readonly signal: number;
  readonly histogram: number;
}

/** The latest MACD line (EMA fast − EMA slow), its signal line (EMA of MACD) and histogram. */
export function macd(closes: readonly number[], fast = 12, slow = 26, signalPeriod = 9): Macd {
  if (fast >= slow) throw new RangeError('MACD fast period must be shorter than the slow one');
  need('MACD', closes, slow + signalPeriod - 1);
  const fastEma = ema(closes, fast);
  const slowEma = ema(closes, slow);
  const offset = slow - fast;
  const line = slowEma.map((s, i) => fastEma[i + offset]! - s);
  const signal = ema(line, signalPeriod);
  const m = line[line.length - 1]!;
  const s = signal[signal.length - 1]!;
  return { macd: m, signal: s, histogram: m - s };
}

/** ln(p[i] / p[i-1]) for each consecutive pair. */
export function logReturns(prices: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < prices.length; i++) out.push(Math.log(prices[i]! / prices[i - 1]!));
  return out;
}

export function mean(values: readonly number[]): number {
  need('mean', values, 1);
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n − 1). */
export function stddev(values: readonly number[]): number {
  need('standard deviation', values, 2);
  const m = mean(values);
  return Math.sqrt(values.reduce((acc, v) => acc + (v - m) ** 2, 0) / (values.length - 1));
}

export interface Volatility {
  /** Standard deviation of the last `period` daily log returns. */
  readonly daily: number;
  /** Daily volatility scaled by the square root of trading days a year. */
  readonly annualized: number;
}

/** Historical volatility over the last `period` returns. */
export function volatility(
  closes: readonly number[],
  period: number,
  tradingDays = 252,
): Volatility {
  checkPeriod(period);
  need('volatility', closes, period + 1);
  const daily = stddev(logReturns(closes.slice(-(period + 1))));
  return { daily, annualized: daily * Math.sqrt(tradingDays) };
}

/** Pearson correlation of two equally long series, in [-1, 1]. */
export function correlation(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError('correlation needs two series of equal length');
  need('correlation', a, 2);
  const ma = mean(a);
  const mb = mean(b);
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  if (va === 0 || vb === 0) return 0;
  return cov / Math.sqrt(va * vb);
}
