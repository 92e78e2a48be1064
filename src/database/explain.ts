import { costliestNode, parsePlan } from './plan.js';
import {
  MIN_ROWS_FOR_INDEX,
  scansToCheck,
  suggestIndexes,
  type TableFacts,
  tableKey,
} from './suggest.js';
import type { StatementWindow } from './types.js';
import type { DatabaseWatch } from './watch.js';

export interface ExplainOptions {
  /** How many of the slowest statements (by total time) are explained. @default 5 */
  readonly top?: number;
  /** The smallest table (live rows) a sequential scan is worth an index on. @default 10_000 */
  readonly minRows?: number;
}

/**
 * The statements with the `top` slowest by total time explained: each gets its generic plan
 * (PREPARE under force_generic_plan, EXPLAIN without ANALYZE, in a read-only transaction rolled
 * back: nothing of a statement runs, one that writes included), its costliest node and the
 * indexes its sequential scans want. A statement that cannot be explained (a utility command,
 * parameters of unknown type, a table gone) gets `planError`, one line. Order is kept.
 */
export async function explainStatements(
  watch: Pick<DatabaseWatch, 'explain' | 'tableFacts'>,
  statements: readonly StatementWindow[],
  { top = 5, minRows = MIN_ROWS_FOR_INDEX }: ExplainOptions = {},
): Promise<StatementWindow[]> {
  const chosen = new Set(
    [...statements]
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, top)
      .map((s) => s.queryId),
  );
  const facts = new Map<string, TableFacts>();
  const out: StatementWindow[] = [];
  for (const statement of statements) {
    if (!chosen.has(statement.queryId)) {
      out.push(statement);
      continue;
    }
    const outcome = await watch.explain(statement.query);
    if ('error' in outcome) {
      out.push({ ...statement, plan: null, costliest: null, planError: outcome.error });
      continue;
    }
    const plan = parsePlan(outcome.plan);
    if (!plan) {
      out.push({ ...statement, planError: 'EXPLAIN gave no plan fiml-perf can read' });
      continue;
    }
    for (const { schema, relation } of scansToCheck(plan)) {
      const key = tableKey(schema, relation);
      if (facts.has(key)) continue;
      // A catalog that cannot be read costs the suggestion, not the plan.
      const found = await watch.tableFacts(schema, relation).catch(() => null);
      if (found) facts.set(key, found);
    }
    out.push({
      ...statement,
      plan,
      costliest: costliestNode(plan),
      planError: null,
      suggestions: suggestIndexes(plan, { tables: facts, share: statement.share, minRows }),
    });
  }
  return out;
}
