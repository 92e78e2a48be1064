/**
 * `fiml-perf/bench`: what a benchmark file (`*.bench.ts`, run by `fiml-perf bench`) calls:
 * `bench(name, fn, options)` inside `group(name, ...)`, and `doNotOptimize(value)` to keep a
 * result alive. The result types are those of the JSON `fiml-perf bench --json` writes.
 * docs/bench.md.
 */
export type {
  BenchEntry,
  BenchFunction,
  BenchOptions,
  BenchResult,
  Clock,
  SampleStats,
} from '../bench/index.js';
export { BENCH_SCHEMA_VERSION, bench, doNotOptimize, group } from '../bench/index.js';
