import {
  CLEAR_SNAPSHOT,
  CONNECTIONS,
  DATABASE,
  FORCE_FLUSH,
  statementsInfoQuery,
  statementsQuery,
  TABLES,
} from './sql.js';
import type { Query, StatementsSource } from './statements-source.js';

/** One normalised statement's counters since pg_stat_statements last reset it. */
export interface StatementCounters {
  readonly queryId: string;
  readonly query: string;
  readonly calls: number;
  readonly totalMs: number;
  readonly maxMs: number;
  readonly rows: number;
  readonly sharedBlksHit: number;
  readonly sharedBlksRead: number;
}

/** One table's counters (pg_stat_user_tables). */
export interface TableCounters {
  readonly relid: number;
  /** schema.table */
  readonly table: string;
  readonly seqScans: number;
  readonly seqRowsRead: number;
  readonly indexScans: number;
  readonly indexRowsFetched: number;
  readonly inserted: number;
  readonly updated: number;
  readonly deleted: number;
  readonly liveRows: number;
}

export interface DatabaseCounters {
  readonly blocksHit: number;
  readonly blocksRead: number;
  readonly commits: number;
  readonly rollbacks: number;
  readonly deadlocks: number;
  readonly tempFiles: number;
  readonly tempBytes: number;
  readonly statsReset: string | null;
}

/** What the statistics views say at one moment; two of them make a window (`diffWindow`). */
export interface DatabaseSnapshot {
  /** Epoch ms when the reading started. */
  readonly at: number;
  readonly source: 'fiml' | 'service';
  /** Password redacted. */
  readonly url: string;
  readonly serverVersion: string;
  readonly database: string;
  readonly statementsAvailable: boolean;
  readonly statementsNote: string | null;
  readonly statements: readonly StatementCounters[];
  /** Calls of statements of other roles, whose text and id this role may not read. */
  readonly hiddenCalls: number;
  /** pg_stat_statements_info: when it was last reset, and how many entries it evicted. */
  readonly statementsReset: string | null;
  readonly statementsEvicted: number | null;
  readonly counters: DatabaseCounters | null;
  readonly tables: readonly TableCounters[];
  /** Client sessions of this database by state, fiml-perf's own left out. */
  readonly connections: Readonly<Record<string, number>>;
  /** Views that could not be read, one line each. */
  readonly problems: readonly string[];
}

export interface SnapshotContext {
  readonly source: 'fiml' | 'service';
  readonly url: string;
  readonly serverVersion: string;
  readonly database: string;
  readonly statements: StatementsSource;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Reads each view on its own, so one that fails is a problem line and not a lost snapshot. */
export async function readSnapshot(
  query: Query,
  context: SnapshotContext,
): Promise<DatabaseSnapshot> {
  const at = Date.now();
  const problems: string[] = [];
  const attempt = async <T>(what: string, read: () => Promise<T>, otherwise: T): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      problems.push(`could not read ${what}: ${message(error)}`);
      return otherwise;
    }
  };
  // Before PostgreSQL 15 there is no such function, and nothing pending to publish.
  await query(FORCE_FLUSH).catch(() => {});
  // Outside a transaction each read sees current statistics anyway; this drops any cached in
  // this session (stats_fetch_consistency = snapshot would keep them).
  await query(CLEAR_SNAPSHOT);

  const source = context.statements;
  let statementsAvailable = source.available;
  let statementsNote = source.available ? null : source.note;
  let statements: StatementCounters[] = [];
  let hiddenCalls = 0;
  let statementsReset: string | null = null;
  let statementsEvicted: number | null = null;
  if (source.available) {
    try {
      const rows = await query<{
        queryid: string | null;
        query: string;
        calls: number;
        total_ms: number;
        max_ms: number;
        rows: number;
        blks_hit: number;
        blks_read: number;
      }>(statementsQuery(source.view, source.totalColumn, source.maxColumn));
      for (const row of rows) {
        if (row.queryid === null) {
          hiddenCalls += row.calls;
          continue;
        }
        statements.push({
          queryId: row.queryid,
          query: row.query,
          calls: row.calls,
          totalMs: row.total_ms,
          maxMs: row.max_ms,
          rows: row.rows,
          sharedBlksHit: row.blks_hit,
          sharedBlksRead: row.blks_read,
        });
      }
    } catch (error) {
      statements = [];
      statementsAvailable = false;
      statementsNote = `no statements: pg_stat_statements could not be read (${message(error)})`;
    }
    if (source.infoView && statementsAvailable) {
      const info = await attempt(
        'pg_stat_statements_info',
        () =>
          query<{ dealloc: number; stats_reset: string | null }>(
            statementsInfoQuery(source.infoView!),
          ),
        [],
      );
      statementsReset = info[0]?.stats_reset ?? null;
      statementsEvicted = info[0]?.dealloc ?? null;
    }
  }

  const [database] = await attempt(
    'pg_stat_database',
    () =>
      query<{
        blks_hit: number;
        blks_read: number;
        xact_commit: number;
        xact_rollback: number;
        deadlocks: number;
        temp_files: number;
        temp_bytes: number;
        stats_reset: string | null;
      }>(DATABASE),
    [],
  );
  const tables = await attempt(
    'pg_stat_user_tables',
    () =>
      query<{
        relid: number;
        schemaname: string;
        relname: string;
        seq_scan: number;
        seq_tup_read: number;
        idx_scan: number;
        idx_tup_fetch: number;
        n_tup_ins: number;
        n_tup_upd: number;
        n_tup_del: number;
        n_live_tup: number;
      }>(TABLES),
    [],
  );
  const connections = await attempt(
    'pg_stat_activity',
    () => query<{ state: string; n: number }>(CONNECTIONS),
    [],
  );

  return {
    at,
    source: context.source,
    url: context.url,
    serverVersion: context.serverVersion,
    database: context.database,
    statementsAvailable,
    statementsNote,
    statements,
    hiddenCalls,
    statementsReset,
    statementsEvicted,
    counters: database
      ? {
          blocksHit: database.blks_hit,
          blocksRead: database.blks_read,
          commits: database.xact_commit,
          rollbacks: database.xact_rollback,
          deadlocks: database.deadlocks,
          tempFiles: database.temp_files,
          tempBytes: database.temp_bytes,
          statsReset: database.stats_reset,
        }
      : null,
    tables: tables.map((row) => ({
      relid: row.relid,
      table: `${row.schemaname}.${row.relname}`,
      seqScans: row.seq_scan,
      seqRowsRead: row.seq_tup_read,
      indexScans: row.idx_scan,
      indexRowsFetched: row.idx_tup_fetch,
      inserted: row.n_tup_ins,
      updated: row.n_tup_upd,
      deleted: row.n_tup_del,
      liveRows: row.n_live_tup,
    })),
    connections: Object.fromEntries(connections.map((row) => [row.state, row.n])),
    problems,
  };
}
