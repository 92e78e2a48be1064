import { describe, expect, it } from 'vitest';
import { Random } from '../../src/load/index.js';
import {
  benjaminiHochberg,
  hodgesLehmann,
  judge,
  normalCdf,
  normalQuantile,
} from '../../src/regress/index.js';

/** Log-normal timings around `median` with a spread like a real benchmark's process medians. */
function timings(random: Random, n: number, median: number, sigma = 0.05): number[] {
  return Array.from({ length: n }, () => {
    const u = Math.max(random.next(), 1e-12);
    const v = random.next();
    return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  });
}

describe('normal distribution helpers', () => {
  it('match known values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.644854, 5);
  });
});

describe('Hodges-Lehmann', () => {
  it('is the median of pairwise differences', () => {
    // Differences y - x: 1-(-1)... worked by hand: x = [1, 2, 3], y = [2, 4, 9]
    // pairs: 1,0,-1, 3,2,1, 8,7,6 -> sorted -1,0,1,1,2,3,6,7,8 -> median 2
    expect(hodgesLehmann([1, 2, 3], [2, 4, 9]).estimate).toBe(2);
  });

  it('covers a known shift about 95% of the time (coverage on synthetic data)', () => {
    const random = new Random(11);
    const trueShift = Math.log(1.08);
    let covered = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const x = timings(random, 10, 1000).map(Math.log);
      const y = timings(random, 10, 1080).map(Math.log);
      const { low, high } = hodgesLehmann(x, y);
      if (low <= trueShift && trueShift <= high) covered++;
    }
    // 95% nominal; the rank interval is slightly conservative. Binomial sd at 400 trials is 1.1%.
    expect(covered / trials).toBeGreaterThan(0.91);
    expect(covered / trials).toBeLessThan(0.995);
  });

  it('gives a small p-value for a real shift and a large one for none', () => {
    const random = new Random(5);
    const x = timings(random, 20, 1000).map(Math.log);
    expect(hodgesLehmann(x, timings(random, 20, 1300).map(Math.log)).p).toBeLessThan(0.001);
    expect(hodgesLehmann(x, timings(random, 20, 1000).map(Math.log)).p).toBeGreaterThan(0.01);
  });
});

describe('Benjamini-Hochberg', () => {
  it('adjusts p-values as the procedure defines (worked example)', () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
    // sorted: 0.005 (x4/1=0.02), 0.01 (x4/2=0.02), 0.03 (x4/3=0.04), 0.04 (x4/4=0.04)
    expect(q.map((v) => Number(v.toFixed(6)))).toEqual([0.02, 0.04, 0.04, 0.02]);
  });
});

describe('verdicts', () => {
  const shift = (ratio: number, low: number, high: number) => ({
    estimate: Math.log(ratio),
    low: Math.log(low),
    high: Math.log(high),
    p: 0.001,
  });

  it('calls a regression only when the whole interval is past the threshold', () => {
    expect(judge(shift(1.3, 1.2, 1.4), 0.1).verdict).toBe('regression');
    expect(judge(shift(1.3, 1.05, 1.6), 0.1).verdict).toBe('inconclusive');
  });

  it('calls improvement, no change, within threshold and inconclusive with what could have been detected', () => {
    expect(judge(shift(0.7, 0.6, 0.8), 0.1).verdict).toBe('improvement');
    expect(judge(shift(1.01, 0.97, 1.05), 0.1)).toMatchObject({
      verdict: 'no-change',
      significant: false,
    });
    expect(judge(shift(1.084, 1.08, 1.089), 0.1)).toMatchObject({
      verdict: 'within-threshold',
      significant: true,
    });
    expect(judge(shift(0.95, 0.93, 0.97), 0.1).verdict).toBe('within-threshold');
    const noisy = judge(shift(1.0, 0.7, 1.4), 0.1);
    expect(noisy.verdict).toBe('inconclusive');
    // Half-width of the log interval added to the threshold: exp(log 1.1 + log(2)/2) - 1.
    expect(noisy.detectable).toBeCloseTo(1.1 * Math.sqrt(2) - 1, 6);
  });
});
