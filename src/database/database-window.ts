import { diffWindow } from './diff.js';
import { explainStatements } from './explain.js';
import type { DatabaseSnapshot } from './snapshot.js';
import { isPlannable } from './statement-kind.js';
import type { DatabaseSection, IndexSuggestion } from './types.js';
import type { DatabaseWatch } from './watch.js';

export interface DatabaseWindowOptions {
  /** The measured window's length; by default the time between the two snapshots. */
  readonly windowS?: number;
  /** Statements kept, by total time. @default 20 */
  readonly top?: number;
  /** Statements explained, the slowest by total time. @default 5 */
  readonly explain?: number;
  /** The smallest table (live rows) a sequential scan is worth an index on. @default 10_000 */
  readonly minRows?: number;
}

const clip = (text: string, length = 60) =>
  text.length > length ? `${text.slice(0, length - 1)}…` : text;

/**
 * The database's section of a run: the window's differences, the slowest statements explained,
 * and their index suggestions deduplicated (the first, from the slowest statement, kept).
 */
export async function databaseWindow(
  watch: Pick<DatabaseWatch, 'explain' | 'tableFacts'>,
  start: DatabaseSnapshot,
  end: DatabaseSnapshot,
  options: DatabaseWindowOptions = {},
): Promise<DatabaseSection> {
  const windowS = options.windowS ?? Math.max(0, (end.at - start.at) / 1000);
  const section = diffWindow(start, end, windowS, { top: options.top ?? 20 });
  const statements = await explainStatements(watch, section.statements, {
    top: options.explain ?? 5,
    minRows: options.minRows,
  });
  const suggestions: IndexSuggestion[] = [];
  for (const statement of statements)
    for (const suggestion of statement.suggestions)
      if (!suggestions.some((s) => s.ddl === suggestion.ddl)) suggestions.push(suggestion);
  const planProblems = statements
    .filter((s) => s.planError !== null && isPlannable(s.query))
    .map((s) => `no plan for "${clip(s.query.replace(/\s+/g, ' '))}": ${s.planError}`);
  return {
    ...section,
    statements,
    suggestions,
    problems: [...section.problems, ...planProblems],
  };
}
