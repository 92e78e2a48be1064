import { buildRunReport } from '../report/html/index.js';
import { exceptionsCsv, failuresCsv, historyCsv, statsCsv } from '../report/index.js';
import type { RunResult } from '../stats/index.js';

/** The downloads of a finished test, by file name. */
export function downloads(result: RunResult): Record<string, { type: string; body: () => string }> {
  return {
    'result.json': {
      type: 'application/json',
      body: () => `${JSON.stringify(result, null, 2)}\n`,
    },
    'stats.csv': { type: 'text/csv', body: () => statsCsv(result) },
    'stats_history.csv': { type: 'text/csv', body: () => historyCsv(result) },
    'failures.csv': { type: 'text/csv', body: () => failuresCsv(result) },
    'exceptions.csv': { type: 'text/csv', body: () => exceptionsCsv(result) },
    'report.html': { type: 'text/html', body: () => buildRunReport(result).html },
  };
}
