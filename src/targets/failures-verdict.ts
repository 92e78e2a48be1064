import type { RunResult } from '../stats/index.js';

/** What failed in a run, as Locust's exit code counts it: failed requests and tasks that threw. */
export interface RunFailures {
  readonly requests: number;
  readonly failures: number;
  /** Tasks that threw (the errors of kind `exception`, method `TASK`): not requests. */
  readonly exceptions: number;
}

export function runFailures(result: RunResult): RunFailures {
  let exceptions = 0;
  for (const group of result.errors) if (group.kind === 'exception') exceptions += group.count;
  return { requests: result.totals.requests, failures: result.totals.failures, exceptions };
}

/** What failures make of a run's exit code, and the line that says why. */
export interface FailuresVerdict {
  readonly code: number;
  readonly line: string;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * The exit code of a run that would otherwise end 0, when a request failed or a task threw:
 * `exitCodeOnError` (Locust's `--exit-code-on-error`); null when nothing failed or failures do
 * not decide (`exitCodeOnError` undefined: targets judge the run, or 0: asked to ignore them).
 */
export function failuresVerdict(
  result: RunResult,
  exitCodeOnError: number | undefined,
): FailuresVerdict | null {
  if (exitCodeOnError === undefined || exitCodeOnError === 0) return null;
  const f = runFailures(result);
  if (f.failures === 0 && f.exceptions === 0) return null;
  const share =
    f.requests === 0 ? '' : ` (${Number(((f.failures / f.requests) * 100).toPrecision(3))}%)`;
  const what = [
    f.failures > 0 ? `${count(f.failures)} of ${count(f.requests)} requests failed${share}` : '',
    f.exceptions > 0 ? `${count(f.exceptions)} exception(s) in tasks` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  return {
    code: exitCodeOnError,
    line: `Exit ${exitCodeOnError}: ${what}. --exit-code-on-error 0 lets failures pass, or judge them with a target such as --target 'error_rate < 1%' (docs/errors.md).`,
  };
}
