import { describe, expect, it } from 'vitest';
import {
  type BenchDefinition,
  type BenchOptions,
  DEFAULT_SAMPLER,
  runInProcess,
  sampleBenchmark,
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
    // On a fake clock that only the function moves: a busy machine cannot stretch a sample, so
    // the calibration and the division by the iterations are checked exactly.
    let fakeNs = 0;
    const clock = () => fakeNs;
    const sampled = await sampleBenchmark(
      define(
        'costs 50us',
        () => {
          fakeNs += 50_000;
        },
        { clock: 'wall' },
      ),
      { ...DEFAULT_SAMPLER, timeMs: 100, clocks: { wall: clock, cpu: clock } },
      undefined,
    );
    expect(sampled.clock).toBe('wall');
    // Calibrated to about 5 ms a sample (5% over): 105 iterations of 50 us.
    expect(sampled.iterationsPerSample).toBe(105);
    expect(sampled.samples.length).toBeGreaterThanOrEqual(10);
    for (const sample of sampled.samples) expect(sample).toBe(50_000);
  });

  it('measures a real function end to end: never less than it costs, every sample kept', async () => {
    // The spin lasts 50 us of elapsed time; on the CPU clock, time taken off the CPU would not count.
    const [entry] = await runInProcess(
      [define('spin 50us', () => spin(50), { clock: 'wall' })],
      300,
    );
    expect(entry!.clock).toBe('wall');
    // A lower bound only: a busy machine stretches samples (the exact figures are checked above).
    expect(entry!.stats.median).toBeGreaterThanOrEqual(50_000);
    expect(entry!.iterationsPerSample).toBeGreaterThanOrEqual(1);
    expect(entry!.iterationsPerSample).toBeLessThanOrEqual(120);
    expect(entry!.samples.length).toBe(entry!.stats.samples);
    expect(entry!.stats.samples).toBeGreaterThanOrEqual(10);
  });

  it('times synchronous functions in CPU time by default, which leaves out time off the CPU', async () => {
    // 2 ms off the CPU and 0.1 ms on it: a call of next to no CPU would need a thousand calls to
    // fill a 5 ms sample on the CPU clock, 2 s of sleeping a sample (12 s for the test).
    const call = () => {
      spin(100);
      return sleep(2);
    };
    const [cpu, wall] = await runInProcess(
      [define('sleep cpu', call), define('sleep wall', call, { clock: 'wall' })],
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
