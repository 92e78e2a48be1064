import { type BenchDefinition, type Clock, doNotOptimize } from './registry.js';
import { median } from './sample-stats.js';

export interface SamplerOptions {
  /** Sampling time after warm-up, in ms. */
  readonly timeMs: number;
  readonly minSamples: number;
  readonly maxSamples: number;
  /** How long one sample should take, so the timer's resolution is negligible. */
  readonly targetSampleMs: number;
  /** Longest warm-up, in ms. */
  readonly warmupMs: number;
  /**
   * Readings in ns for each clock, in place of the process's (a test's fake clock, so what it
   * asserts about calibration does not depend on how busy the machine is). @default the process's
   */
  readonly clocks?: Readonly<Record<Clock, () => number>>;
}

export const DEFAULT_SAMPLER: SamplerOptions = {
  timeMs: 1000,
  minSamples: 10,
  maxSamples: 1000,
  targetSampleMs: 5,
  warmupMs: 500,
};

export interface Sampled {
  /** Nanoseconds per iteration, one value per sample. */
  readonly samples: number[];
  readonly clock: Clock;
  readonly iterationsPerSample: number;
  readonly warmupSamples: number;
  readonly gcBetweenSamples: boolean;
}

type Run = (iterations: number) => number | Promise<number>;

/**
 * The process's CPU time in ns (getrusage: user + system, precise below the tick). It leaves out
 * time the process was not running, a virtual machine's steal time included.
 */
function cpuTime(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) * 1000;
}

/** The two clocks, as a reading and the nanoseconds elapsed since it. */
function clockFunctions(
  clock: Clock,
  clocks: SamplerOptions['clocks'],
): { start: () => unknown; since: (start: never) => number } {
  if (clocks) {
    const read = clocks[clock];
    return { start: read, since: (start: number) => read() - start };
  }
  if (clock === 'wall')
    return {
      start: () => process.hrtime.bigint(),
      since: (start: bigint) => Number(process.hrtime.bigint() - start),
    };
  return { start: cpuTime, since: (start: number) => cpuTime() - start };
}

/**
 * Builds the timed loop; async functions are awaited one after another. Each benchmark gets a
 * freshly compiled loop (`new Function`), as mitata does: one shared loop would see every
 * benchmark's function, turn polymorphic, and time later benchmarks slower than earlier ones.
 */
async function timedLoop(
  fn: (context: never) => unknown,
  context: unknown,
  requested: Clock | undefined,
  clocks: SamplerOptions['clocks'],
): Promise<{ run: Run; clock: Clock }> {
  const first = fn(context as never);
  const isAsync = typeof (first as Promise<unknown>)?.then === 'function';
  if (isAsync) await first;
  const clock = requested ?? (isAsync ? 'wall' : 'cpu');
  const body = isAsync
    ? 'return async function loop(n) { const s = start(); for (let i = 0; i < n; i++) await fn(context); return since(s); }'
    : 'return function loop(n) { let last; const s = start(); for (let i = 0; i < n; i++) last = fn(context); const elapsed = since(s); keep(last); return elapsed; }';
  // Publishing the last result (keep) keeps the calls observable, so they are not dead code.
  const make = new Function('fn', 'context', 'start', 'since', 'keep', body) as (
    f: typeof fn,
    c: unknown,
    s: () => unknown,
    d: (start: never) => number,
    k: typeof doNotOptimize,
  ) => Run;
  const { start, since } = clockFunctions(clock, clocks);
  return { run: make(fn, context, start, since, doNotOptimize), clock };
}

/** The iteration count that makes one sample last about `targetMs`. */
async function calibrate(run: Run, targetMs: number): Promise<number> {
  const target = targetMs * 1e6;
  let n = 1;
  for (;;) {
    const ns = await run(n);
    if (ns >= target || n >= 1e9) return n;
    n =
      ns < target / 100 ? n * 100 : Math.min(1e9, Math.ceil((n * target * 1.05) / Math.max(ns, 1)));
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
/** With helper threads, a forced collection's sweeping runs on into the next sample. */
const singleThreadedGc = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(' ')].some(
  (flag) => flag === '--single-threaded-gc' || flag === '--single-threaded',
);

/**
 * Times a benchmark: calibrates the iterations per sample, warms up until the sample medians
 * settle, recalibrates, then samples for the time budget (running GC between samples when
 * `--expose-gc` made it available, and, on the CPU clock, --single-threaded-gc too).
 */
export async function sampleBenchmark(
  definition: BenchDefinition,
  options: SamplerOptions,
  context: unknown,
): Promise<Sampled> {
  const { run, clock } = await timedLoop(
    definition.fn,
    context,
    definition.options.clock,
    options.clocks,
  );
  let iterations = await calibrate(run, options.targetSampleMs);
  const warm: number[] = [];
  const warmStart = Date.now();
  for (;;) {
    warm.push((await run(iterations)) / iterations);
    if (Date.now() - warmStart >= options.warmupMs) break;
    if (warm.length >= 10) {
      const recent = median(warm.slice(-5));
      const before = median(warm.slice(-10, -5));
      if (Math.abs(recent / before - 1) < 0.02) break;
    }
  }
  // The optimising compiler may have made it faster: size the samples again.
  iterations = await calibrate(run, options.targetSampleMs);
  const timeMs = definition.options.timeMs ?? options.timeMs;
  const minSamples = definition.options.minSamples ?? options.minSamples;
  const samples: number[] = [];
  const start = Date.now();
  // On the CPU clock, a forced GC is only fair when its helper threads cannot run into the sample.
  const collect = gc && (clock === 'wall' || singleThreadedGc) ? gc : undefined;
  while (samples.length < options.maxSamples) {
    collect?.();
    samples.push((await run(iterations)) / iterations);
    if (samples.length >= minSamples && Date.now() - start >= timeMs) break;
  }
  return {
    samples,
    clock,
    iterationsPerSample: iterations,
    warmupSamples: warm.length,
    gcBetweenSamples: collect !== undefined,
  };
}
