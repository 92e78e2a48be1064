import { describe, expect, it } from 'vitest';
import {
  correlation,
  ema,
  InsufficientDataError,
  logReturns,
  macd,
  rsi,
  sma,
  stddev,
  volatility,
} from '../../fiml/analysis/index.js';

// Expected values below are worked by hand (shown in the comments), not by this code.
describe('indicators against hand-computed values', () => {
  it('SMA of 1..5 with period 3 is 2, 3, 4', () => {
    expect(sma([1, 2, 3, 4, 5], 3)).toEqual([2, 3, 4]);
  });

  it('EMA seeds with the first window SMA, then smooths with alpha = 2/(n+1)', () => {
    // period 3: alpha 0.5; seed (2+4+6)/3 = 4; then 0.5*8 + 0.5*4 = 6; then 0.5*10 + 0.5*6 = 8
    expect(ema([2, 4, 6, 8, 10], 3)).toEqual([4, 6, 8]);
  });

  it("RSI uses Wilder's smoothing", () => {
    // closes 1,2,3,2,3 with period 2: changes +1,+1,-1,+1
    // first averages over 2 changes: gain (1+1)/2 = 1, loss 0
    // change -1: gain (1*1 + 0)/2 = 0.5, loss (0*1 + 1)/2 = 0.5
    // change +1: gain (0.5 + 1)/2 = 0.75, loss (0.5 + 0)/2 = 0.25; RS = 3; RSI = 100 - 100/4 = 75
    expect(rsi([1, 2, 3, 2, 3], 2)).toBeCloseTo(75, 10);
    expect(rsi([1, 2, 3, 4], 2)).toBe(100);
    expect(rsi([4, 3, 2, 1], 2)).toBe(0);
  });

  it('MACD is EMA(fast) − EMA(slow) with an EMA signal line', () => {
    // fast 2 (alpha 2/3), slow 3 (alpha 1/2), signal 2, closes 1..6
    // EMA2: seed 1.5, then 2.5, 3.5, 4.5, 5.5   EMA3: seed 2, then 3, 4, 5
    // MACD line (aligned at EMA3): 2.5-2, 3.5-3, 4.5-4, 5.5-5 = 0.5 each; signal 0.5; histogram 0
    const m = macd([1, 2, 3, 4, 5, 6], 2, 3, 2);
    expect(m.macd).toBeCloseTo(0.5, 12);
    expect(m.signal).toBeCloseTo(0.5, 12);
    expect(m.histogram).toBeCloseTo(0, 12);
  });

  it('volatility is the sample deviation of log returns, annualised by sqrt(252)', () => {
    // prices e^0, e^0.01, e^0.03: returns 0.01 and 0.02; mean 0.015; sample var = 2 * 0.005^2 / 1
    const prices = [1, Math.exp(0.01), Math.exp(0.03)];
    const expected = Math.sqrt(2 * 0.005 ** 2);
    expect(stddev(logReturns(prices))).toBeCloseTo(expected, 12);
    const v = volatility(prices, 2);
    expect(v.daily).toBeCloseTo(expected, 12);
    expect(v.annualized).toBeCloseTo(expected * Math.sqrt(252), 12);
  });

  it('correlation is 1, -1 and 0 where it must be', () => {
    expect(correlation([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(correlation([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    // deviations (-1, 0, 1) and (1, -2, 1): covariance -1 + 0 + 1 = 0
    expect(correlation([1, 2, 3], [2, 0, 2])).toBeCloseTo(0, 12);
  });

  it('refuses too little data instead of returning a number', () => {
    expect(() => rsi([1, 2], 14)).toThrow(InsufficientDataError);
    expect(() => sma([1], 2)).toThrow(InsufficientDataError);
    expect(() => sma([1, 2], 0)).toThrow(RangeError);
  });
});
