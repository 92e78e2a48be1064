import { type Comparison, parseFilter, parseSortKey } from './filter.js';
import { planNodes, qualifiedName } from './plan.js';
import type { IndexSuggestion, PlanNode } from './types.js';

/** What the catalog says of a scanned table. */
export interface TableFacts {
  /** `schema.table` quoted as SQL needs it (quote_ident), for the DDL. */
  readonly sqlName: string;
  /** Live rows (the larger of the planner's estimate and the statistics' count). */
  readonly liveRows: number;
  /** The first column of each of its indexes (expression indexes have none). */
  readonly leadingColumns: readonly string[];
}

/** The default smallest table (live rows) a sequential scan is worth an index on. */
export const MIN_ROWS_FOR_INDEX = 10_000;

export interface SuggestOptions {
  /** Facts of a table by its schema and name, fetched beforehand (`scansToCheck`). */
  readonly tables: ReadonlyMap<string, TableFacts>;
  /** The statement's share (0..1) of the window's statement time, for the reason line. */
  readonly share: number;
  /** @default 10_000 */
  readonly minRows?: number;
}

/** The key of `SuggestOptions.tables`. */
export const tableKey = (schema: string | null, relation: string) =>
  JSON.stringify([schema, relation]);

/** A sequential scan with a filter, and the Sort directly above it, if any. */
interface FilteredScan {
  readonly scan: PlanNode;
  readonly sort: PlanNode | null;
}

function filteredScans(root: PlanNode): FilteredScan[] {
  const found: FilteredScan[] = [];
  for (const parent of planNodes(root)) {
    for (const child of parent.children) {
      if (child.nodeType === 'Seq Scan' && child.relation && child.filter)
        found.push({ scan: child, sort: parent.nodeType === 'Sort' ? parent : null });
    }
  }
  if (root.nodeType === 'Seq Scan' && root.relation && root.filter)
    found.push({ scan: root, sort: null });
  return found;
}

/** The tables whose facts `suggestIndexes` needs: those a filtered sequential scan reads. */
export function scansToCheck(
  root: PlanNode,
): Array<{ readonly schema: string | null; readonly relation: string }> {
  return filteredScans(root).map(({ scan }) => ({
    schema: scan.schema,
    relation: scan.relation!,
  }));
}

const formatRows = (rows: number) => Math.round(rows).toLocaleString('en-US');

/** The index one filtered sequential scan wants, or null (small table, index present, unread filter). */
function suggestionFor(
  { scan, sort }: FilteredScan,
  facts: TableFacts | undefined,
  share: number,
  minRows: number,
): IndexSuggestion | null {
  if (!facts || facts.liveRows < minRows) return null;
  const comparisons = parseFilter(scan.filter!, scan.alias, scan.relation);
  if (!comparisons) return null;
  const unique = (list: Comparison[]) =>
    list.filter((c, i) => list.findIndex((other) => other.column === c.column) === i);
  const equality = unique(comparisons.filter((c) => c.kind === 'equality'));
  const range = unique(comparisons.filter((c) => c.kind === 'range'));
  // Equality columns lead; with none, one range column (two would be a guess between them).
  const leading = equality.length > 0 ? equality : range.length === 1 ? range : [];
  if (leading.length === 0) return null;
  if (leading.some((c) => facts.leadingColumns.includes(c.column))) return null;

  const columns = leading.map((c) => ({ column: c.column, printed: c.printed }));
  if (sort?.sortKey) {
    const keys = sort.sortKey.map((key) => parseSortKey(key, scan.alias, scan.relation));
    // A sort key not understood leaves the sort out, never the index.
    if (keys.every((key) => key !== null)) {
      for (const key of keys) {
        const same = columns.findIndex((c) => c.column === key.column);
        if (same === -1) columns.push(key);
        // `WHERE time > $1 ORDER BY time DESC`: the range column takes the sort's direction.
        else if (equality.length === 0) columns[same] = key;
      }
    }
  }
  const table = qualifiedName(scan)!;
  const ddl = `CREATE INDEX CONCURRENTLY ON ${facts.sqlName} (${columns.map((c) => c.printed).join(', ')})`;
  const percent = `${Math.round(share * 100)}%`;
  return {
    table,
    columns: columns.map((c) => c.column),
    ddl,
    reason:
      `Seq Scan on ${table} reads all ~${formatRows(facts.liveRows)} rows to keep those matching ` +
      `${scan.filter}, in a statement taking ${percent} of the window's statement time; no index ` +
      `of the table starts with ${leading.map((c) => c.column).join(' or ')}`,
  };
}

/**
 * The indexes a plan's sequential scans want: a `Seq Scan` of a table of at least `minRows` live
 * rows, filtered by comparisons of its columns with parameters or constants that no index of the
 * table starts with, gets `CREATE INDEX CONCURRENTLY ON table (equality columns..., then the
 * Sort Key of a Sort directly above the scan)`. A filter not understood suggests nothing.
 */
export function suggestIndexes(root: PlanNode, options: SuggestOptions): IndexSuggestion[] {
  const minRows = options.minRows ?? MIN_ROWS_FOR_INDEX;
  const out: IndexSuggestion[] = [];
  for (const found of filteredScans(root)) {
    const facts = options.tables.get(tableKey(found.scan.schema, found.scan.relation!));
    const suggestion = suggestionFor(found, facts, options.share, minRows);
    if (suggestion && !out.some((s) => s.ddl === suggestion.ddl)) out.push(suggestion);
  }
  return out;
}
