import { describe, expect, it } from 'vitest';
import { type BenchDefinition, runInProcess, summarize } from '../../src/bench/index.js';

const define = (name: string, fn: () => unknown): BenchDefinition => ({
  group: 'test',
  name,
  id: `test > ${name}`,
  file: 'inline',
  fn,
  options: {},
});

/** Spins for `us` microseconds: a function of known cost. */
function spin(us: number): number {
  const end = process.hrtime.bigint() + BigInt(us * 1000);
  let n = 0;
  while (process.hrtime.bigint() < end) n++;
  return n;
}

describe('the benchmark harness', () => {
  it('measures a function of known cost, with samples long enough for the timer', async () => {
    const [entry] = await runInProcess([define('spin 50us', () => spin(50))], 300);
    expect(entry!.stats.median).toBeGreaterThanOrEqual(50_000);
    expect(entry!.stats.median).toBeLessThan(50_000 * 1.5);
    // Calibrated to about 5 ms a sample: about 100 iterations of 50 us.
    expect(entry!.iterationsPerSample).toBeGreaterThanOrEqual(90);
    expect(entry!.iterationsPerSample).toBeLessThanOrEqual(120);
    expect(entry!.samples.length).toBe(entry!.stats.samples);
    expect(entry!.stats.samples).toBeGreaterThanOrEqual(10);
  });

  it('warns when a benchmark is indistinguishable from an empty function', async () => {
    const [entry] = await runInProcess([define('nothing', () => undefined)], 200);
    expect(entry!.warnings.join()).toMatch(/indistinguishable from an empty function/);
  });

  it('times async functions one call after another', async () => {
    const [entry] = await runInProcess(
      [define('timer 1ms', () => new Promise((resolve) => setTimeout(resolve, 1)))],
      200,
    );
    expect(entry!.stats.median).toBeGreaterThanOrEqual(1e6);
  });
});

describe('sample statistics', () => {
  it('reports outliers by Tukey fences without dropping them', () => {
    const values = [10, 11, 12, 11, 10, 12, 11, 100];
    const s = summarize(values);
    expect(s.samples).toBe(8);
    expect(s.outliers).toEqual({ low: 0, high: 1 });
    expect(s.max).toBe(100);
    expect(s.median).toBe(11);
    expect(s.mad).toBe(1);
  });
});
