export type { Environment } from './environment.js';
export { currentEnvironment, fingerprintDifferences } from './environment.js';
export { BENCH_HEADER, benchLine, formatNs } from './format.js';
export type { InterleaveOptions } from './interleave.js';
export { runInterleaved } from './interleave.js';
export type { BenchDefinition, BenchFunction, BenchOptions, Clock } from './registry.js';
export { bench, doNotOptimize, group } from './registry.js';
export type { BenchEntry, BenchResult } from './result.js';
export { BENCH_SCHEMA_VERSION } from './result.js';
export type { BenchSide, RunBenchOptions } from './run-benchmarks.js';
export {
  BenchError,
  discoverBenchFiles,
  loadBenchmarks,
  matches,
  runBenchmarks,
  runInProcess,
} from './run-benchmarks.js';
export type { SampleStats } from './sample-stats.js';
export { median, quantile, summarize } from './sample-stats.js';
export type { Sampled, SamplerOptions } from './sampler.js';
export { DEFAULT_SAMPLER, sampleBenchmark } from './sampler.js';
