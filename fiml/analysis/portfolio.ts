import type { Bar } from '../market.js';
import { correlation, logReturns, mean, stddev } from './indicators.js';

export interface PortfolioInput {
  readonly symbol: string;
  readonly weight: number;
  readonly history: readonly Bar[];
}

export interface PortfolioAnalysis {
  readonly expected_annual_return: number;
  readonly annual_volatility: number;
  readonly sharpe_ratio: number;
  /** One-day 95% parametric value at risk, as a fraction of the portfolio. */
  readonly value_at_risk_95: number;
  readonly holdings: readonly {
    readonly symbol: string;
    readonly weight: number;
    readonly annual_return: number;
    readonly annual_volatility: number;
    readonly risk_contribution: number;
  }[];
  readonly correlation_matrix: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly lookback_days: number;
}

const TRADING_DAYS = 252;
const RISK_FREE_RATE = 0.02;
const LOOKBACK = 252;
const r4 = (v: number) => Math.round(v * 10_000) / 10_000;

/** Mean-variance figures of a weighted portfolio over the last year of daily returns. */
export function analyzePortfolio(inputs: readonly PortfolioInput[]): PortfolioAnalysis {
  const returns = inputs.map((i) =>
    logReturns(i.history.slice(-(LOOKBACK + 1)).map((b) => b.close)),
  );
  const length = Math.min(...returns.map((r) => r.length));
  const aligned = returns.map((r) => r.slice(-length));
  const means = aligned.map(mean);
  const n = inputs.length;
  const cov: number[][] = [];
  for (let i = 0; i < n; i++) {
    cov.push([]);
    for (let j = 0; j < n; j++) {
      const a = aligned[i]!;
      const b = aligned[j]!;
      let sum = 0;
      for (let k = 0; k < length; k++) sum += (a[k]! - means[i]!) * (b[k]! - means[j]!);
      cov[i]!.push(sum / (length - 1));
    }
  }
  const w = inputs.map((i) => i.weight);
  const marginal = cov.map((row) => row.reduce((s, c, j) => s + c * w[j]!, 0));
  const variance = marginal.reduce((s, m, i) => s + m * w[i]!, 0);
  const dailyVol = Math.sqrt(variance);
  const annualReturn = means.reduce((s, m, i) => s + m * w[i]!, 0) * TRADING_DAYS;
  const annualVol = dailyVol * Math.sqrt(TRADING_DAYS);
  const matrix: Record<string, Record<string, number>> = {};
  inputs.forEach((a, i) => {
    matrix[a.symbol] = {};
    inputs.forEach((b, j) => {
      matrix[a.symbol]![b.symbol] = r4(i === j ? 1 : correlation(aligned[i]!, aligned[j]!));
    });
  });
  return {
    expected_annual_return: r4(annualReturn),
    annual_volatility: r4(annualVol),
    sharpe_ratio: annualVol === 0 ? 0 : r4((annualReturn - RISK_FREE_RATE) / annualVol),
    value_at_risk_95: r4(1.645 * dailyVol),
    holdings: inputs.map((input, i) => ({
      symbol: input.symbol,
      weight: input.weight,
      annual_return: r4(means[i]! * TRADING_DAYS),
      annual_volatility: r4(stddev(aligned[i]!) * Math.sqrt(TRADING_DAYS)),
      risk_contribution: variance === 0 ? 0 : r4((w[i]! * marginal[i]!) / variance),
    })),
    correlation_matrix: matrix,
    lookback_days: length,
  };
}
