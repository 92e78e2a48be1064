import type { DatabaseSection } from '../database/index.js';
import type { RunResult } from '../stats/index.js';
import type { TargetOutcome, TargetSummary } from './evaluate.js';
import type { ServiceReport } from './service-report.js';

/** The targets section of a result. */
export interface TargetsReport {
  readonly outcomes: readonly TargetOutcome[];
  readonly summary: TargetSummary;
  readonly windowSeconds: number | null;
  /** The target that stopped the run early (--abort-on-fail), and when. */
  readonly abortedBy: {
    readonly target: string;
    readonly atSeconds: number;
    readonly actual: string | null;
  } | null;
}

/** A run result with its targets and the service's figures. */
export type TargetedResult = RunResult & {
  readonly targets: TargetsReport;
  readonly service: ServiceReport;
  /** The database's view of the run's window (issue 27), when a database was watched. */
  readonly database?: DatabaseSection;
};
