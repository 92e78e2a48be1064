import { describe, expect, it } from 'vitest';
import {
  type DatabaseWatch,
  type ExplainOutcome,
  explainStatements,
  type StatementWindow,
  type TableFacts,
} from '../../src/database/index.js';
import { fixture } from './plan-fixtures.js';

const statement = (
  queryId: string,
  query: string,
  totalMs: number,
  share = 0.5,
): StatementWindow => ({
  query,
  queryId,
  calls: 1,
  totalMs,
  meanMs: totalMs,
  maxMs: totalMs,
  rows: 1,
  sharedBlksHit: 0,
  sharedBlksRead: 0,
  hitRatio: null,
  share,
  plan: null,
  costliest: null,
  planError: null,
  suggestions: [],
});

/** A watch answering plans from the fixtures and facts of a 50,000-row `bars`. */
function fakeWatch(plans: Record<string, ExplainOutcome>) {
  const explained: string[] = [];
  const facts: string[] = [];
  const watch: Pick<DatabaseWatch, 'explain' | 'tableFacts'> = {
    async explain(query) {
      explained.push(query);
      return plans[query] ?? { error: 'relation "gone" does not exist' };
    },
    async tableFacts(schema, relation): Promise<TableFacts | null> {
      facts.push(`${schema}.${relation}`);
      return relation === 'bars'
        ? { sqlName: 'public.bars', liveRows: 50_000, leadingColumns: ['id'] }
        : null;
    },
  };
  return { watch, explained, facts };
}

describe('explainStatements', () => {
  const slow = 'SELECT * FROM bars WHERE asset_id = $1 ORDER BY time DESC LIMIT $2';
  const constant = 'SELECT * FROM bars WHERE symbol = $1';

  it('explains the slowest by total time, keeps the order, names the costliest node and the index', async () => {
    const { watch, explained, facts } = fakeWatch({
      [slow]: { plan: fixture('seq-scan-sort-limit').raw },
      [constant]: { plan: fixture('seq-scan-constant').raw },
    });
    const statements = [
      statement('a', 'SELECT 1', 1),
      statement('b', slow, 90, 0.9),
      statement('c', constant, 9, 0.09),
    ];
    const out = await explainStatements(watch, statements, { top: 2 });
    expect(explained).toEqual([slow, constant]);
    expect(out.map((s) => s.queryId)).toEqual(['a', 'b', 'c']);
    expect(out[0]).toBe(statements[0]);
    expect(out[1]!.plan?.nodeType).toBe('Limit');
    expect(out[1]!.costliest).toMatchObject({ nodeType: 'Seq Scan', relation: 'public.bars' });
    expect(out[1]!.suggestions.map((s) => s.ddl)).toEqual([
      'CREATE INDEX CONCURRENTLY ON public.bars (asset_id, "time" DESC)',
    ]);
    expect(out[1]!.suggestions[0]!.reason).toContain('in a statement taking 90%');
    expect(out[2]!.suggestions.map((s) => s.ddl)).toEqual([
      'CREATE INDEX CONCURRENTLY ON public.bars (symbol)',
    ]);
    // The table's facts are read once for both statements.
    expect(facts).toEqual(['public.bars']);
  });

  it('gives a statement that cannot be explained its reason, and goes on', async () => {
    const { watch } = fakeWatch({ [slow]: { plan: fixture('seq-scan-sort-limit').raw } });
    const out = await explainStatements(watch, [
      statement('gone', 'SELECT * FROM gone WHERE a = $1', 50),
      statement('b', slow, 40),
      statement('junk', 'SELECT junk', 30),
    ]);
    expect(out[0]).toMatchObject({
      plan: null,
      planError: 'relation "gone" does not exist',
      suggestions: [],
    });
    expect(out[1]!.plan).not.toBeNull();
    expect(out[2]!.planError).toBe('relation "gone" does not exist');
  });

  it('says so of a plan it cannot read', async () => {
    const { watch } = fakeWatch({ [slow]: { plan: [{ nothing: true }] } });
    const [out] = await explainStatements(watch, [statement('b', slow, 40)]);
    expect(out!.planError).toBe('EXPLAIN gave no plan fiml-perf can read');
  });
});
