import { EXTENSION, EXTENSION_STATE, sql, VIEW_COLUMNS } from './sql.js';

/** Runs one of our statements and returns its rows. */
export type Query = <Row = Record<string, unknown>>(
  text: string,
  values?: readonly unknown[],
) => Promise<Row[]>;

/** Where pg_stat_statements is read from, or why it cannot be. */
export type StatementsSource =
  | {
      readonly available: true;
      /** The view, schema-qualified: the extension may live outside the search_path. */
      readonly view: string;
      /** pg_stat_statements_info (extension 1.9+, PostgreSQL 14+): resets and evictions. */
      readonly infoView: string | null;
      /** `total_exec_time` (1.8+, PostgreSQL 13+) or `total_time` before. */
      readonly totalColumn: string;
      readonly maxColumn: string;
    }
  | { readonly available: false; readonly note: string };

/** The one line that says how to turn statements on, for each way they can be missing. */
export function statementsNote(
  reason:
    | 'not-installed'
    | 'not-loaded'
    | 'not-created'
    | 'create-failed'
    | 'unreadable'
    | 'not-tracking',
  database: string,
  detail = '',
): string {
  const create = `CREATE EXTENSION pg_stat_statements; in database "${database}"`;
  const preload = `set shared_preload_libraries = 'pg_stat_statements' in postgresql.conf, restart PostgreSQL, then run ${create}`;
  switch (reason) {
    case 'not-installed':
      return `no statements: pg_stat_statements is not installed on the server; install PostgreSQL's contrib package, ${preload}`;
    case 'not-loaded':
      return `no statements: pg_stat_statements is not loaded by the server; ${preload}`;
    case 'not-created':
      return `no statements: pg_stat_statements is loaded but not created in database "${database}"; run CREATE EXTENSION pg_stat_statements; there (as a superuser)`;
    case 'create-failed':
      return `no statements: pg_stat_statements could not be created in database "${database}" (${detail}); run CREATE EXTENSION pg_stat_statements; there as a superuser`;
    case 'not-tracking':
      return `no statements: pg_stat_statements.track is none on the server; set pg_stat_statements.track = top in postgresql.conf and reload PostgreSQL`;
    case 'unreadable':
      return `no statements: pg_stat_statements cannot be read (${detail}); grant this user pg_read_all_stats, or check the extension in database "${database}"`;
  }
}

const errorCode = (error: unknown) => (error as { code?: unknown }).code;
const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Finds pg_stat_statements in the current database. When the server preloads it but the database
 * lacks the extension, it is created only with `createExtension` (FIML's own database asks for it;
 * a user's database is not changed behind their back).
 */
export async function findStatements(
  query: Query,
  database: string,
  { createExtension = false }: { createExtension?: boolean } = {},
): Promise<StatementsSource> {
  let [extension] = await query<{ schema: string }>(EXTENSION);
  if (!extension) {
    const [state] = await query<{ loaded: boolean; installed: boolean }>(EXTENSION_STATE);
    if (!state?.installed)
      return { available: false, note: statementsNote('not-installed', database) };
    if (!state.loaded) return { available: false, note: statementsNote('not-loaded', database) };
    if (!createExtension)
      return { available: false, note: statementsNote('not-created', database) };
    try {
      await query(sql('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'));
    } catch (error) {
      return {
        available: false,
        note: statementsNote('create-failed', database, errorMessage(error)),
      };
    }
    [extension] = await query<{ schema: string }>(EXTENSION);
    if (!extension) return { available: false, note: statementsNote('not-created', database) };
  }
  const view = `${extension.schema}.pg_stat_statements`;
  try {
    await query(sql(`SELECT 1 FROM ${view} LIMIT 1`));
  } catch (error) {
    // 55000: created in the database, but the server does not preload the library.
    if (errorCode(error) === '55000')
      return { available: false, note: statementsNote('not-loaded', database) };
    return { available: false, note: statementsNote('unreadable', database, errorMessage(error)) };
  }
  const [track] = await query<{ track: string | null }>(
    sql("SELECT current_setting('pg_stat_statements.track', true) AS track"),
  );
  if (track?.track === 'none')
    return { available: false, note: statementsNote('not-tracking', database) };
  const columns = new Set(
    (await query<{ name: string }>(VIEW_COLUMNS, [view])).map((row) => row.name),
  );
  const modern = columns.has('total_exec_time');
  const infoView = `${extension.schema}.pg_stat_statements_info`;
  const [info] = await query<{ present: boolean }>(
    sql('SELECT to_regclass($1) IS NOT NULL AS present'),
    [infoView],
  );
  return {
    available: true,
    view,
    infoView: info?.present ? infoView : null,
    totalColumn: modern ? 'total_exec_time' : 'total_time',
    maxColumn: modern ? 'max_exec_time' : 'max_time',
  };
}
