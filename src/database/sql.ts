/**
 * The SQL fiml-perf sends to a watched database. Every statement carries `MARKER` after its
 * first word: pg_stat_statements keeps a comment inside a statement in its text, which is how our
 * own reads are left out of the statements a window reports (pg_stat_statements has no
 * application_name). Not before the first word: a newer PostgreSQL (PGlite's 18) cuts a statement's
 * text to where the statement starts, leading comments out.
 */

export const MARKER = '/* fiml-perf */';

/** The application_name of fiml-perf's connections, left out of the connections counted. */
export const APPLICATION_NAME = 'fiml-perf';

/** Our own SQL, marked. */
export const sql = (text: string) => text.replace(/^\s*(\w+)/, `$1 ${MARKER}`);

export const SERVER = sql(
  `SELECT current_database() AS database, split_part(current_setting('server_version'), ' ', 1) AS version, current_setting('server_version_num')::int AS version_num`,
);

export const CLEAR_SNAPSHOT = sql('SELECT pg_stat_clear_snapshot()');

/**
 * Publishes this session's pending counts when the statement ends (PostgreSQL 15+). It reaches
 * only our own session on a server; on PGlite, where every connection shares one session, it
 * publishes FIML's counts too, which would otherwise land in some later window.
 */
export const FORCE_FLUSH = sql('SELECT pg_stat_force_next_flush()');

/** The statements of the current database, summed over roles (and nesting levels) per queryid. */
export function statementsQuery(view: string, totalColumn: string, maxColumn: string): string {
  // Statements of other roles read as queryid NULL and '<insufficient privilege>' without
  // pg_read_all_stats: they group as one row of queryid NULL, the calls this role cannot see.
  return sql(
    `SELECT queryid::text AS queryid, min(query) AS query, sum(calls)::float8 AS calls, ` +
      `sum(${totalColumn})::float8 AS total_ms, max(${maxColumn})::float8 AS max_ms, ` +
      `sum(rows)::float8 AS rows, sum(shared_blks_hit)::float8 AS blks_hit, ` +
      `sum(shared_blks_read)::float8 AS blks_read ` +
      `FROM ${view} WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ` +
      `AND query NOT LIKE '%${MARKER}%' GROUP BY queryid`,
  );
}

export const statementsInfoQuery = (view: string) =>
  sql(`SELECT dealloc::float8 AS dealloc, stats_reset::text AS stats_reset FROM ${view}`);

export const DATABASE = sql(
  `SELECT blks_hit::float8 AS blks_hit, blks_read::float8 AS blks_read, ` +
    `xact_commit::float8 AS xact_commit, xact_rollback::float8 AS xact_rollback, ` +
    `deadlocks::float8 AS deadlocks, temp_files::float8 AS temp_files, ` +
    `temp_bytes::float8 AS temp_bytes, stats_reset::text AS stats_reset ` +
    `FROM pg_stat_database WHERE datname = current_database()`,
);

/**
 * Per table; its live rows are the larger of the statistics' count and the planner's estimate:
 * a server whose statistics were reset (PGlite's, loaded from a saved data folder) says 0 live
 * rows of a table of 388k until autovacuum counts again, and the table would not look large.
 */
export const TABLES = sql(
  `SELECT relid::bigint::float8 AS relid, schemaname, relname, seq_scan::float8 AS seq_scan, ` +
    `seq_tup_read::float8 AS seq_tup_read, coalesce(idx_scan, 0)::float8 AS idx_scan, ` +
    `coalesce(idx_tup_fetch, 0)::float8 AS idx_tup_fetch, n_tup_ins::float8 AS n_tup_ins, ` +
    `n_tup_upd::float8 AS n_tup_upd, n_tup_del::float8 AS n_tup_del, ` +
    `greatest(n_live_tup::float8, (SELECT c.reltuples FROM pg_class c WHERE c.oid = relid)::float8, 0) AS n_live_tup ` +
    `FROM pg_stat_user_tables`,
);

/**
 * Client sessions of this database other than fiml-perf's own. Those of roles this one may not
 * see (no pg_read_all_stats) show no backend_type and no state, but still a user.
 */
const OTHERS =
  `datname = current_database() AND pid <> pg_backend_pid() ` +
  `AND (backend_type = 'client backend' OR (backend_type IS NULL AND usesysid IS NOT NULL)) ` +
  `AND application_name IS DISTINCT FROM '${APPLICATION_NAME}'`;

export const CONNECTIONS = sql(
  `SELECT coalesce(state, 'hidden') AS state, count(*)::int AS n FROM pg_stat_activity WHERE ${OTHERS} GROUP BY 1`,
);

/**
 * Sessions whose table and database counts may not be in the statistics yet: `busy` ones are
 * working, in a transaction, or idle for less than $1 seconds (PostgreSQL 15+ flushes an idle
 * session's counts after at most 10 s); `hidden` ones belong to roles whose sessions this role
 * may not see (no pg_read_all_stats), so nothing is known of them.
 */
export const UNSETTLED = sql(
  `SELECT count(*) FILTER (WHERE state IS NULL)::int AS hidden, ` +
    `count(*) FILTER (WHERE state IS NOT NULL AND (state <> 'idle' OR state_change IS NULL ` +
    `OR state_change > clock_timestamp() - make_interval(secs => $1::float8)))::int AS busy ` +
    `FROM pg_stat_activity WHERE ${OTHERS}`,
);

/** The extension's schema (quoted), when it is created in this database. */
export const EXTENSION = sql(
  `SELECT quote_ident(n.nspname) AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'`,
);

export const EXTENSION_STATE = sql(
  `SELECT current_setting('pg_stat_statements.max', true) IS NOT NULL AS loaded, ` +
    `EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements') AS installed`,
);

export const VIEW_COLUMNS = sql(
  `SELECT attname::text AS name FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
);

/** A table's SQL name, live rows, and the leading column of each index. */
export const TABLE_FACTS = sql(
  `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS sql_name, ` +
    `greatest(c.reltuples, coalesce(s.n_live_tup, 0), 0)::float8 AS live_rows, ` +
    `coalesce((SELECT array_agg(a.attname::text) FROM pg_index i JOIN pg_attribute a ` +
    `ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = c.oid), '{}') AS leading ` +
    `FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ` +
    `LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid ` +
    `WHERE c.relname = $2 AND (n.nspname = $1 OR ($1 IS NULL AND pg_table_is_visible(c.oid)))`,
);
