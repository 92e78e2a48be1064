/**
 * What a run says of a PostgreSQL database over its measured window (issue 27): the
 * differences of `pg_stat_statements`, `pg_stat_database` and `pg_stat_user_tables` between
 * the window's start and end, the connections by state, and the plans of the slowest statements
 * with what they suggest. One shape for FIML's own database and for any service's.
 */

/** A node of an `EXPLAIN (FORMAT JSON)` plan, kept as a tree; only the fields a reader needs. */
export interface PlanNode {
  /** `Seq Scan`, `Index Scan`, `Sort`, `Limit`, ... */
  readonly nodeType: string;
  /** The table scanned, for scan nodes (its bare name; `schema` holds its schema). */
  readonly relation: string | null;
  /** The scanned table's schema (EXPLAIN VERBOSE gives it), null when unknown. */
  readonly schema: string | null;
  /** The name the statement gives the table (`FROM bars b` -> `b`); conditions use it. */
  readonly alias: string | null;
  readonly index: string | null;
  /** The node's own cost: its total cost less its children's (never below 0). */
  readonly selfCost: number;
  readonly totalCost: number;
  readonly planRows: number;
  /** `Filter`, `Index Cond`, `Sort Key`, ... as PostgreSQL prints them; absent when empty. */
  readonly filter: string | null;
  readonly indexCond: string | null;
  readonly sortKey: readonly string[] | null;
  readonly children: readonly PlanNode[];
}

/** The plan node that costs most by itself, and its share of the plan's total cost. */
export interface CostliestNode {
  readonly nodeType: string;
  /** `schema.table` for a scan node. */
  readonly relation: string | null;
  readonly selfCost: number;
  /**
   * 0..1 of the sum of every node's own cost (the root's total cost can be less than the sum:
   * a Limit costs less than its input).
   */
  readonly share: number;
}

/** An index that would replace a sequential scan on a large table. */
export interface IndexSuggestion {
  readonly table: string;
  readonly columns: readonly string[];
  /** `CREATE INDEX CONCURRENTLY ON schema.table (col, ...)`, ready to run. */
  readonly ddl: string;
  /** Why: the scan, the filter, the table's rows. */
  readonly reason: string;
}

/** One normalised statement's work during the window (differences of pg_stat_statements). */
export interface StatementWindow {
  /** The normalised text, constants as $1, $2, ... (as pg_stat_statements keeps it). */
  readonly query: string;
  readonly queryId: string;
  readonly calls: number;
  readonly totalMs: number;
  readonly meanMs: number;
  /** Slowest single call seen by the server since its statistics were last reset (not windowed). */
  readonly maxMs: number;
  readonly rows: number;
  readonly sharedBlksHit: number;
  readonly sharedBlksRead: number;
  /** hit / (hit + read), null with no block touched. */
  readonly hitRatio: number | null;
  /** Share (0..1) of the window's total statement time. */
  readonly share: number;
  /** The statement's plan, for the slowest few; null when not explained or not explainable. */
  readonly plan: PlanNode | null;
  readonly costliest: CostliestNode | null;
  /** Why there is no plan (a statement that cannot be prepared, a utility command), or null. */
  readonly planError: string | null;
  readonly suggestions: readonly IndexSuggestion[];
}

/** One table's scans and changes during the window (differences of pg_stat_user_tables). */
export interface TableWindow {
  /** schema.table */
  readonly table: string;
  readonly seqScans: number;
  readonly seqRowsRead: number;
  readonly indexScans: number;
  readonly indexRowsFetched: number;
  readonly inserted: number;
  readonly updated: number;
  readonly deleted: number;
  /** Live rows at the window's end. */
  readonly liveRows: number;
}

export interface DatabaseSection {
  /** `fiml` for the embedded FIML's own database, `service` for one given with --postgres. */
  readonly source: 'fiml' | 'service';
  /** The URL, password redacted. */
  readonly url: string;
  readonly serverVersion: string;
  readonly database: string;
  readonly windowS: number;
  /** False when pg_stat_statements is not installed in this database. */
  readonly statementsAvailable: boolean;
  /** One line: how to enable pg_stat_statements, or why statements are missing; null when present. */
  readonly statementsNote: string | null;
  /** Top statements by total time in the window, slowest first. */
  readonly statements: readonly StatementWindow[];
  /** Statements called in the window (all, not only the top). */
  readonly statementCalls: number;
  readonly statementTotalMs: number;
  /** Tables by sequential rows read, most first (those touched in the window). */
  readonly tables: readonly TableWindow[];
  readonly cache: {
    readonly blocksHit: number;
    readonly blocksRead: number;
    /** Buffer cache hit ratio over the window, null with no block touched. */
    readonly hitRatio: number | null;
  };
  readonly commits: number;
  readonly rollbacks: number;
  readonly deadlocks: number;
  readonly tempFiles: number;
  readonly tempBytes: number;
  /**
   * Connections to this database by state (`active`, `idle`, `idle in transaction`, ...) at the
   * window's end, fiml-perf's own left out; `hidden` for other roles' sessions this user may not
   * see (GRANT pg_read_all_stats shows them).
   */
  readonly connections: Readonly<Record<string, number>>;
  /** Every index suggestion of the statements, deduplicated. */
  readonly suggestions: readonly IndexSuggestion[];
  /** Problems met while reading (a view not readable, a plan that failed), one line each. */
  readonly problems: readonly string[];
}
