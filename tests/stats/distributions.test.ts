import { describe, expect, it } from 'vitest';
import { Random } from '../../src/load/index.js';
import { linearFit, tQuantile } from '../../src/stats/index.js';

describe("Student's t and linear fits", () => {
  it.each([
    [3, 3.182],
    [5, 2.571],
    [10, 2.228],
    [30, 2.042],
  ])('t 97.5%% with %i degrees of freedom is within 1%% of the table', (df, exact) => {
    expect(Math.abs(tQuantile(0.975, df) / exact - 1)).toBeLessThan(0.01);
  });

  it('recovers an exact line, with a zero-width interval', () => {
    const fit = linearFit([0, 1, 2, 3], [1, 3, 5, 7]);
    expect(fit.slope).toBeCloseTo(2, 10);
    expect(fit.intercept).toBeCloseTo(1, 10);
    expect(fit.high - fit.low).toBeCloseTo(0, 10);
  });

  it('has no interval with fewer than three points', () => {
    expect(linearFit([0, 1], [0, 1])).toMatchObject({ slope: 1, low: -Infinity, high: Infinity });
  });

  it('covers the true slope about 95% of the time on noisy data', () => {
    const random = new Random(11);
    let covered = 0;
    const trials = 400;
    for (let k = 0; k < trials; k++) {
      const x = Array.from({ length: 12 }, (_, i) => i);
      const y = x.map((v) => {
        const u = Math.max(random.next(), 1e-12);
        const noise = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
        return 0.5 * v + 3 + noise;
      });
      const fit = linearFit(x, y);
      if (fit.low <= 0.5 && 0.5 <= fit.high) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.91);
    expect(covered / trials).toBeLessThan(0.99);
  });
});
