import { currentEnvironment } from './environment.js';
import { BENCH_SCHEMA_VERSION, type BenchResult } from './result.js';
import {
  BENCH_PROCESS_FLAGS,
  type BenchSide,
  mergeRuns,
  type RunBenchOptions,
  runBenchProcess,
} from './run-benchmarks.js';

export interface InterleaveOptions extends Omit<RunBenchOptions, 'processes' | 'onEntry'> {
  /** Most processes per side. */
  readonly maxProcesses: number;
  /** Fewest processes per side before `done` is asked. @default 5 */
  readonly minProcesses?: number;
  /** Asked after each round from minProcesses on; true stops early (every verdict clear). */
  readonly done?: (a: BenchResult, b: BenchResult) => boolean;
  readonly onRound?: (round: number) => void;
}

function asResult(runs: BenchResult[], options: InterleaveOptions): BenchResult {
  return {
    schemaVersion: BENCH_SCHEMA_VERSION,
    kind: 'bench',
    createdAt: new Date().toISOString(),
    environment: {
      ...currentEnvironment([...BENCH_PROCESS_FLAGS]),
      gitCommit: runs[0]?.environment.gitCommit ?? null,
    },
    config: { processes: runs.length, timeMs: options.timeMs, filter: options.filters },
    benchmarks: mergeRuns(runs),
  };
}

/**
 * Runs two sides in alternating fresh processes, A B B A A B ..., so that drift in the machine
 * (other jobs, thermal state) falls on both alike; a process is the unit of sample.
 */
export function runInterleaved(
  a: BenchSide,
  b: BenchSide,
  options: InterleaveOptions,
): { a: BenchResult; b: BenchResult } {
  const runsA: BenchResult[] = [];
  const runsB: BenchResult[] = [];
  const min = options.minProcesses ?? 5;
  for (let round = 0; round < options.maxProcesses; round++) {
    const order = round % 2 === 0 ? [a, b] : [b, a];
    for (const side of order) (side === a ? runsA : runsB).push(runBenchProcess(side, options));
    options.onRound?.(round + 1);
    if (round + 1 >= min && options.done?.(asResult(runsA, options), asResult(runsB, options)))
      break;
  }
  return { a: asResult(runsA, options), b: asResult(runsB, options) };
}
