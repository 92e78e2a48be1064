import type { Environment } from './environment.js';
import type { Clock } from './registry.js';
import type { SampleStats } from './sample-stats.js';

export const BENCH_SCHEMA_VERSION = 1;

export interface BenchEntry {
  /** `group > name`. */
  readonly id: string;
  readonly group: string;
  readonly name: string;
  readonly file: string;
  /** Change past which `compare` calls a slowdown a regression. */
  readonly threshold: number;
  readonly iterationsPerSample: number;
  /** What the samples measure: this process's CPU time, or elapsed time. */
  readonly clock: Clock;
  /** Over every sample of every process, in nanoseconds per iteration. */
  readonly stats: SampleStats;
  /** The median of each fresh process: the unit of sample for comparisons. */
  readonly processMedians: readonly number[];
  /** Every sample (ns per iteration), all processes. */
  readonly samples: readonly number[];
  readonly warnings: readonly string[];
}

/** A benchmark run, as `--json` and `--save` write it and `compare` reads it. */
export interface BenchResult {
  readonly schemaVersion: number;
  readonly kind: 'bench';
  readonly createdAt: string;
  readonly environment: Environment;
  readonly config: {
    readonly processes: number;
    readonly timeMs: number;
    readonly filter: readonly string[];
  };
  readonly benchmarks: readonly BenchEntry[];
}
