import { describe, expect, it } from 'vitest';
import { suggestIndexes, type TableFacts } from '../../src/database/index.js';
import { tableKey } from '../../src/database/suggest.js';
import { fixture } from './plan-fixtures.js';

const BARS: TableFacts = { sqlName: 'public.bars', liveRows: 50_000, leadingColumns: ['id'] };
const tables = (facts: Partial<Record<'bars' | 'assets' | 'big', TableFacts>> = { bars: BARS }) =>
  new Map(Object.entries(facts).map(([name, f]) => [tableKey('public', name), f]));

const suggest = (name: string, facts = tables(), minRows?: number) =>
  suggestIndexes(fixture(name).plan, { tables: facts, share: 0.84, minRows });

describe('suggestIndexes: a sequential scan of a large table, filtered on columns no index starts with', () => {
  it('suggests the filtered column, then the sort key of the Sort above the scan', () => {
    expect(suggest('seq-scan-sort-limit')).toEqual([
      {
        table: 'public.bars',
        columns: ['asset_id', 'time'],
        ddl: 'CREATE INDEX CONCURRENTLY ON public.bars (asset_id, "time" DESC)',
        reason:
          "Seq Scan on public.bars reads all ~50,000 rows to keep those matching (bars.asset_id = $1), in a statement taking 84% of the window's statement time; no index of the table starts with asset_id",
      },
    ]);
  });

  it('puts every equality column first, in the order of the filter', () => {
    expect(suggest('seq-scan-two-columns').map((s) => s.ddl)).toEqual([
      'CREATE INDEX CONCURRENTLY ON public.bars (asset_id, symbol)',
    ]);
  });

  it('takes a comparison with a constant', () => {
    expect(suggest('seq-scan-constant').map((s) => s.ddl)).toEqual([
      'CREATE INDEX CONCURRENTLY ON public.bars (symbol)',
    ]);
  });

  it('takes one range column alone, in the direction the statement sorts it', () => {
    expect(suggest('seq-scan-range-sorted').map((s) => s.ddl)).toEqual([
      'CREATE INDEX CONCURRENTLY ON public.bars ("time" DESC)',
    ]);
  });

  it('reads the scan of a join by its alias, and leaves the small side alone', () => {
    const facts = tables({
      bars: BARS,
      assets: { sqlName: 'public.assets', liveRows: 100, leadingColumns: ['id'] },
    });
    expect(suggest('join', facts).map((s) => s.ddl)).toEqual([
      'CREATE INDEX CONCURRENTLY ON public.bars (symbol)',
    ]);
  });

  it('sees through a parallel plan (Gather Merge, Sort, Parallel Seq Scan)', () => {
    const facts = tables({
      big: { sqlName: 'public.big', liveRows: 400_000, leadingColumns: ['id'] },
    });
    expect(suggest('parallel', facts).map((s) => s.ddl)).toEqual([
      'CREATE INDEX CONCURRENTLY ON public.big (k, v)',
    ]);
  });

  it('uses the SQL name the catalog gives (a quoted schema or table)', () => {
    const facts = tables({ bars: { ...BARS, sqlName: '"My Schema".bars' } });
    expect(suggest('seq-scan-constant', facts)[0]!.ddl).toBe(
      'CREATE INDEX CONCURRENTLY ON "My Schema".bars (symbol)',
    );
  });
});

describe('suggestIndexes suggests nothing', () => {
  it('when an index already starts with a filtered column', () => {
    expect(
      suggest(
        'seq-scan-sort-limit',
        tables({ bars: { ...BARS, leadingColumns: ['id', 'asset_id'] } }),
      ),
    ).toEqual([]);
    expect(
      suggest('seq-scan-two-columns', tables({ bars: { ...BARS, leadingColumns: ['symbol'] } })),
    ).toEqual([]);
  });

  it('for a small table (fewer live rows than minRows)', () => {
    expect(suggest('seq-scan-sort-limit', tables({ bars: { ...BARS, liveRows: 9_999 } }))).toEqual(
      [],
    );
    expect(suggest('seq-scan-sort-limit', tables(), 50_001)).toEqual([]);
    expect(suggest('seq-scan-sort-limit', tables(), 50_000)).toHaveLength(1);
    expect(
      suggest(
        'small-table',
        tables({ assets: { sqlName: 'public.assets', liveRows: 100, leadingColumns: ['id'] } }),
      ),
    ).toEqual([]);
  });

  it('for a filter it does not understand', () => {
    expect(suggest('seq-scan-not-understood')).toEqual([]);
  });

  it('for a scan without a filter, an index scan, or a table the catalog does not know', () => {
    expect(suggest('aggregate')).toEqual([]);
    expect(suggest('update-by-id')).toEqual([]);
    expect(suggest('seq-scan-sort-limit', tables({}))).toEqual([]);
  });
});
