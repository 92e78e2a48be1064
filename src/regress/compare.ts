import { fingerprintDifferences } from '../bench/index.js';
import { compareBenchmarks } from './compare-bench.js';
import { compareLoadResults } from './compare-load.js';
import { type ReadResult, RegressError, readResult } from './read-result.js';
import { benjaminiHochberg } from './statistics.js';
import { adjust, type Comparison, type Verdict } from './verdict.js';

export interface CompareOptions {
  /** Overrides each benchmark's own threshold. @default 0.10 for load figures */
  readonly threshold?: number;
  /** False-discovery rate across the suite (Benjamini-Hochberg). @default 0.05 */
  readonly alpha?: number;
  /** Compare runs from different environments anyway. */
  readonly force?: boolean;
  /** Load tests: error-rate change, in fraction points, past which it regresses. @default 0.01 */
  readonly errorThreshold?: number;
}

export interface ComparisonReport {
  readonly schemaVersion: 1;
  readonly kind: 'bench' | 'load';
  readonly baseline: {
    readonly path: string;
    readonly createdAt: string;
    readonly commit: string | null;
  };
  readonly current: {
    readonly path: string;
    readonly createdAt: string;
    readonly commit: string | null;
  };
  /** Regressions first, then improvements, inconclusive, within threshold, no change. */
  readonly comparisons: readonly Comparison[];
  readonly onlyBaseline: readonly string[];
  readonly onlyCurrent: readonly string[];
  readonly environmentDifferences: readonly string[];
  readonly summary: Readonly<Record<Verdict, number>>;
  readonly alpha: number;
}

const ORDER: Record<Verdict, number> = {
  regression: 0,
  improvement: 1,
  inconclusive: 2,
  'within-threshold': 3,
  'no-change': 4,
};

/** Compares two result files of the same kind. @throws RegressError */
export function compareFiles(
  baselinePath: string,
  currentPath: string,
  options: CompareOptions = {},
): ComparisonReport {
  return compareResults(
    readResult(baselinePath),
    readResult(currentPath),
    [baselinePath, currentPath],
    options,
  );
}

/** Compares two results already read (as `fiml-perf ab` does). @throws RegressError */
export function compareResults(
  a: ReadResult,
  b: ReadResult,
  [baselinePath, currentPath]: readonly [string, string],
  options: CompareOptions = {},
): ComparisonReport {
  if (a.kind !== b.kind)
    throw new RegressError(
      `${baselinePath} is a ${a.kind} result and ${currentPath} a ${b.kind} result; compare like with like`,
    );
  const alpha = options.alpha ?? 0.05;
  let differences: string[] = [];
  let raw: ReturnType<typeof compareBenchmarks>;
  let meta: Pick<ComparisonReport, 'baseline' | 'current'>;
  if (a.kind === 'bench' && b.kind === 'bench') {
    differences = fingerprintDifferences(a.result.environment, b.result.environment);
    if (differences.length > 0 && !options.force)
      throw new RegressError(
        `the runs come from different environments (${differences.join('; ')}): their timings are not comparable; rerun both here, or pass --force`,
      );
    raw = compareBenchmarks(a.result, b.result, options.threshold);
    meta = {
      baseline: {
        path: baselinePath,
        createdAt: a.result.createdAt,
        commit: a.result.environment.gitCommit,
      },
      current: {
        path: currentPath,
        createdAt: b.result.createdAt,
        commit: b.result.environment.gitCommit,
      },
    };
  } else {
    const ra = a.result as import('../stats/index.js').RunResult;
    const rb = b.result as import('../stats/index.js').RunResult;
    raw = compareLoadResults(ra, rb, options.threshold ?? 0.1, options.errorThreshold ?? 0.01);
    meta = {
      baseline: { path: baselinePath, createdAt: ra.startedAt, commit: null },
      current: { path: currentPath, createdAt: rb.startedAt, commit: null },
    };
  }
  const q = benjaminiHochberg(raw.comparisons.map((c) => c.p));
  const comparisons = raw.comparisons
    .map((c, i) => adjust(c, q[i] as number, alpha))
    .sort((x, y) => ORDER[x.verdict] - ORDER[y.verdict] || x.id.localeCompare(y.id));
  const summary: Record<Verdict, number> = {
    regression: 0,
    improvement: 0,
    inconclusive: 0,
    'within-threshold': 0,
    'no-change': 0,
  };
  for (const c of comparisons) summary[c.verdict]++;
  return {
    schemaVersion: 1,
    kind: a.kind,
    ...meta,
    comparisons,
    onlyBaseline: raw.onlyBaseline,
    onlyCurrent: raw.onlyCurrent,
    environmentDifferences: differences,
    summary,
    alpha,
  };
}
