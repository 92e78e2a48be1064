import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { PerfError } from '../errors.js';
import { checkUrl, connectError } from './connect-error.js';
import { redactSecrets, redactUrl } from './redact.js';
import { type DatabaseSnapshot, readSnapshot } from './snapshot.js';
import { APPLICATION_NAME, SERVER, sql, TABLE_FACTS, TABLES, UNSETTLED } from './sql.js';
import { isPlannable, statementVerb } from './statement-kind.js';
import { findStatements, type Query, type StatementsSource } from './statements-source.js';
import type { TableFacts } from './suggest.js';

/**
 * How long PostgreSQL 15+ may keep a session's table and database counts before they reach the
 * statistics views: a session flushes them at most once a second, and one that goes idle less
 * than a second after its last flush keeps them until it is idle for 10 s (PGSTAT_IDLE_INTERVAL
 * in pgstat.c; measured here: 10.05 s) or closes. pg_stat_statements counts at once.
 */
export const STATS_IDLE_FLUSH_MS = 10_000;

/** Between two looks at the sessions while settling. */
const SETTLE_POLL_MS = 100;

export interface WatchOptions {
  /** `fiml` for FIML's own database, `service` for one given with --postgres. */
  readonly source: 'fiml' | 'service';
  /**
   * Create pg_stat_statements in the database when the server preloads it but the database
   * lacks it. @default false (a user's database is not changed behind their back)
   */
  readonly createExtension?: boolean;
  /** @default 3000 */
  readonly connectTimeoutMs?: number;
}

export interface SnapshotOptions {
  /**
   * Wait up to this long for other sessions' table and database counts to reach the views:
   * until every other session of the database is gone or idle for over `STATS_IDLE_FLUSH_MS`
   * and the table counts hold still, or this bound. For the window's end. @default 0
   */
  readonly settleMs?: number;
}

/** A plan as `EXPLAIN (FORMAT JSON)` gives it, or why there is none (one line). */
export type ExplainOutcome = { readonly plan: unknown } | { readonly error: string };

/** An open connection to one database, reading its statistics at a window's edges. */
export interface DatabaseWatch {
  readonly source: 'fiml' | 'service';
  /** Password redacted. */
  readonly url: string;
  readonly database: string;
  readonly serverVersion: string;
  readonly serverVersionNum: number;
  readonly statementsAvailable: boolean;
  readonly statementsNote: string | null;
  /** @throws PerfError FP_ERR_DATABASE when the server cannot be reached any more */
  snapshot(options?: SnapshotOptions): Promise<DatabaseSnapshot>;
  /** The generic plan of a normalised statement, never executing it. */
  explain(query: string): Promise<ExplainOutcome>;
  /** What the catalog says of a table (schema null: the one the search_path finds). */
  tableFacts(schema: string | null, relation: string): Promise<TableFacts | null>;
  close(): Promise<void>;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * Connects to the database at `url` (3 s at most) as application_name `fiml-perf`, checks it
 * answers, and finds pg_stat_statements.
 * @throws PerfError FP_ERR_DATABASE: a URL that does not parse, a server that refuses or does not
 * answer, a wrong user or password, an unknown database (one line, password redacted)
 */
export async function openDatabaseWatch(
  url: string,
  { source, createExtension = false, connectTimeoutMs = 3000 }: WatchOptions,
): Promise<DatabaseWatch> {
  checkUrl(url);
  const redacted = redactUrl(url);
  // The connection, and what ended it if it broke between two reads.
  const state: { client: pg.Client | null; lost: Error | null } = { client: null, lost: null };

  const connect = async (): Promise<pg.Client> => {
    const next = new pg.Client({
      connectionString: url,
      application_name: APPLICATION_NAME,
      connectionTimeoutMillis: connectTimeoutMs,
      // Our reads are small; a server too busy to answer them in 15 s should not hang the run.
      statement_timeout: 15_000,
      keepAlive: true,
    });
    // A connection lost between two reads is found at the next one, not thrown from an event.
    next.on('error', (error) => {
      state.lost = error;
    });
    try {
      await next.connect();
    } catch (error) {
      await next.end().catch(() => {});
      throw connectError(error, url, connectTimeoutMs);
    }
    state.lost = null;
    return next;
  };

  const current = async (): Promise<pg.Client> => {
    if (state.client && !state.lost) return state.client;
    if (state.client) await state.client.end().catch(() => {});
    state.client = null;
    state.client = await connect();
    return state.client;
  };

  const query: Query = async <Row>(text: string, values?: readonly unknown[]) => {
    const active = await current();
    const result = await active.query(text, values as unknown[] | undefined);
    return result.rows as Row[];
  };

  let server: { database: string; version: string; version_num: number };
  let statements: StatementsSource;
  try {
    [server] = (await query<typeof server>(SERVER)) as [typeof server];
    statements = await findStatements(query, server.database, { createExtension });
  } catch (error) {
    await state.client?.end().catch(() => {});
    throw error instanceof PerfError ? error : connectError(error, url, connectTimeoutMs);
  }

  const context = {
    source,
    url: redacted,
    serverVersion: server.version,
    database: server.database,
    statements,
  };

  const tableCounts = async () => JSON.stringify(await query(TABLES));

  /** Waits for other sessions' counts to land (see SnapshotOptions.settleMs); a problem or null. */
  const settle = async (settleMs: number): Promise<string | null> => {
    const deadline = Date.now() + settleMs;
    const idleS = (STATS_IDLE_FLUSH_MS + 500) / 1000;
    const pause = () => sleep(Math.max(0, Math.min(SETTLE_POLL_MS, deadline - Date.now())));
    let sessions = { busy: 0, hidden: 0 };
    for (;;) {
      const [row] = await query<{ busy: number; hidden: number }>(UNSETTLED, [idleS]);
      sessions = row ?? { busy: 0, hidden: 0 };
      if (sessions.busy + sessions.hidden === 0) {
        // A session that just closed leaves pg_stat_activity a moment before its last counts
        // are flushed: the counts must also hold still between two looks.
        const before = await tableCounts();
        await pause();
        if ((await tableCounts()) === before) return null;
      } else await pause();
      if (Date.now() >= deadline) break;
    }
    const flush = STATS_IDLE_FLUSH_MS / 1000;
    if (sessions.hidden > 0)
      return `${sessions.hidden} session(s) of other roles are hidden from this user, so the window's end could not wait for their counts: the table and database figures may miss their last second of work; GRANT pg_read_all_stats TO it`;
    if (sessions.busy > 0)
      return `${sessions.busy} session(s) were working or idle for under ${flush} s when the window ended: the table and database figures may miss their last second of work (PostgreSQL 15+ publishes an idle session's counts after ${flush} s)`;
    return 'the table counts were still changing when the window ended';
  };

  // One name for every plan, deallocated after each: a name of its own per plan would leave
  // pg_stat_statements a new `EXPLAIN ... EXECUTE name` entry each time.
  const name = 'fiml_perf_plan';
  // One connection: a snapshot must not land inside a plan's transaction, so calls take turns.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const run = turn.then(work, work);
    turn = run.catch(() => {});
    return run;
  };

  /** See DatabaseWatch.explain. */
  const explainGeneric = async (text: string): Promise<ExplainOutcome> => {
    const verb = statementVerb(text);
    if (!isPlannable(text))
      return { error: `${verb || 'an empty statement'} is not a query: not explained` };
    if (server.version_num < 120_000)
      return { error: 'not explained: generic plans need PostgreSQL 12 or newer' };
    let isPrepared = false;
    try {
      // Read only, and rolled back: even a statement that writes is only planned, never run.
      await query(sql('BEGIN READ ONLY'));
      await query(sql('SET LOCAL plan_cache_mode = force_generic_plan'));
      await query(sql("SET LOCAL statement_timeout = '5s'"));
      // PREPARE of an UPDATE takes the table's row lock; a DDL holding it must not stall us.
      await query(sql("SET LOCAL lock_timeout = '1s'"));
      // PREPARE on every version, rather than 16's EXPLAIN (GENERIC_PLAN): one path, tested;
      // PREPARE accepts only SELECT/INSERT/UPDATE/DELETE/MERGE/VALUES and tells the parameter
      // count (pg_prepared_statements); the extended protocol refuses a second statement in
      // the text, where the simple protocol psql uses for GENERIC_PLAN would run it.
      const active = await current();
      await active.query({
        text: sql(`PREPARE ${name} AS ${text}`),
        queryMode: 'extended',
      } as pg.QueryConfig);
      isPrepared = true;
      const [row] = await query<{ n: number }>(
        sql(
          'SELECT coalesce(cardinality(parameter_types), 0)::int AS n FROM pg_prepared_statements WHERE name = $1',
        ),
        [name],
      );
      const nulls = row && row.n > 0 ? `(${new Array(row.n).fill('NULL').join(', ')})` : '';
      // Never ANALYZE: the plan is the planner's, nothing of the statement runs.
      const [plan] = await query<{ 'QUERY PLAN': unknown }>(
        sql(`EXPLAIN (FORMAT JSON, VERBOSE) EXECUTE ${name}${nulls}`),
      );
      return plan ? { plan: plan['QUERY PLAN'] } : { error: 'EXPLAIN returned no plan' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { error: oneLine(redactSecrets(message, url)) };
    } finally {
      await query(sql('ROLLBACK')).catch(() => {});
      // A prepared statement outlives the transaction that made it.
      if (isPrepared) await query(sql(`DEALLOCATE ${name}`)).catch(() => {});
    }
  };

  const watch: DatabaseWatch = {
    source,
    url: redacted,
    database: server.database,
    serverVersion: server.version,
    serverVersionNum: server.version_num,
    statementsAvailable: statements.available,
    statementsNote: statements.available ? null : statements.note,

    snapshot: ({ settleMs = 0 } = {}) =>
      inTurn(async () => {
        try {
          const problem = settleMs > 0 ? await settle(settleMs) : null;
          const snapshot = await readSnapshot(query, context);
          if (state.lost) throw state.lost;
          return problem ? { ...snapshot, problems: [...snapshot.problems, problem] } : snapshot;
        } catch (error) {
          if (error instanceof PerfError) throw error;
          throw connectError(error, url, connectTimeoutMs);
        }
      }),

    explain: (text) => inTurn(() => explainGeneric(text)),

    tableFacts: (schema, relation) =>
      inTurn(async () => {
        const [row] = await query<{ sql_name: string; live_rows: number; leading: string[] }>(
          TABLE_FACTS,
          [schema, relation],
        );
        return row
          ? { sqlName: row.sql_name, liveRows: row.live_rows, leadingColumns: row.leading }
          : null;
      }),

    close: () =>
      inTurn(async () => {
        const open = state.client;
        state.client = null;
        await open?.end().catch(() => {});
      }),
  };
  return watch;
}
