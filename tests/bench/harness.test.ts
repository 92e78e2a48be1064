import { describe, expect, it } from 'vitest';
import {
  type BenchDefinition,
  type BenchOptions,
  runInProcess,
  summarize,
} from '../../src/bench/index.js';

const define = (name: string, fn: () => unknown, options: BenchOptions = {}): BenchDefinition => ({
  group: 'test',
  name,
  id: `test > ${name}`,
  file: 'inline',
  fn,
  options,
});

/** Blocks the thread for `ms` without using the CPU. */
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Spins for `us` microseconds: a function of known cost. */
function spin(us: number): number {
  const end = process.hrtime.bigint() + BigInt(us * 1000);
  let n = 0;
  while (process.hrtime.bigint() < end) n++;
  return n;
}

describe('the benchmark harness', () => {
  it('measures a function of known cost, with samples long enough for the timer', async () => {
    // The spin lasts 50 us of elapsed time; on the CPU clock, time taken off the CPU would not count.
    const [entry] = await runInProcess(
      [define('spin 50us', () => spin(50), { clock: 'wall' })],
      300,
    );
    expect(entry!.clock).toBe('wall');
    expect(entry!.stats.median).toBeGreaterThanOrEqual(50_000);
    expect(entry!.stats.median).toBeLessThan(50_000 * 1.5);
    // Calibrated to about 5 ms a sample: about 100 iterations of 50 us.
    expect(entry!.iterationsPerSample).toBeGreaterThanOrEqual(90);
    expect(entry!.iterationsPerSample).toBeLessThanOrEqual(120);
    expect(entry!.samples.length).toBe(entry!.stats.samples);
    expect(entry!.stats.samples).toBeGreaterThanOrEqual(10);
  });

  it('times synchronous functions in CPU time by default, which leaves out time off the CPU', async () => {
    const [cpu, wall] = await runInProcess(
      [
        define('sleep cpu', () => sleep(2)),
        define('sleep wall', () => sleep(2), { clock: 'wall' }),
      ],
      100,
    );
    expect(cpu!.clock).toBe('cpu');
    expect(wall!.clock).toBe('wall');
    expect(wall!.stats.median).toBeGreaterThanOrEqual(2e6);
    // Blocked in the kernel, the thread uses next to no CPU.
    expect(cpu!.stats.median).toBeLessThan(0.5e6);
  });

  // A statistical call on a busy machine (the whole suite runs in parallel): retried, not loosened.
  it('warns when a benchmark is indistinguishable from an empty function', {
    retry: 2,
  }, async () => {
    const [entry] = await runInProcess([define('nothing', () => undefined)], 200);
    expect(entry!.warnings.join()).toMatch(/indistinguishable from an empty function/);
  });

  it('times async functions one call after another', async () => {
    const [entry] = await runInProcess(
      [define('timer 1ms', () => new Promise((resolve) => setTimeout(resolve, 1)))],
      200,
    );
    expect(entry!.stats.median).toBeGreaterThanOrEqual(1e6);
    expect(entry!.clock).toBe('wall');
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
