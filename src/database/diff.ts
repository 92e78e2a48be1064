import type { DatabaseSnapshot, StatementCounters, TableCounters } from './snapshot.js';
import type { DatabaseSection, StatementWindow, TableWindow } from './types.js';

export interface DiffOptions {
  /** How many statements the section keeps, by total time. @default 20 */
  readonly top?: number;
}

const ratio = (hit: number, read: number) => (hit + read > 0 ? hit / (hit + read) : null);

/**
 * end - start for counters that only grow; when one went back (its statistics were reset, or the
 * entry evicted and made again, between the snapshots) the end's count is all of the window
 * there is, and `reset` is called.
 */
function grown(end: number, start: number | undefined, reset: () => void): number {
  if (start === undefined) return end;
  if (end < start) {
    reset();
    return end;
  }
  return end - start;
}

function statementDiff(
  end: StatementCounters,
  start: StatementCounters | undefined,
  onReset: () => void,
): Omit<StatementWindow, 'share'> | null {
  // A reset shows as calls going back; then every counter of the entry restarts together.
  const wasReset = start !== undefined && end.calls < start.calls;
  if (wasReset) onReset();
  const from = wasReset ? undefined : start;
  const calls = end.calls - (from?.calls ?? 0);
  const totalMs = Math.max(0, end.totalMs - (from?.totalMs ?? 0));
  if (calls <= 0 && totalMs <= 0) return null;
  const hit = Math.max(0, end.sharedBlksHit - (from?.sharedBlksHit ?? 0));
  const read = Math.max(0, end.sharedBlksRead - (from?.sharedBlksRead ?? 0));
  return {
    query: end.query,
    queryId: end.queryId,
    calls,
    totalMs,
    meanMs: calls > 0 ? totalMs / calls : 0,
    maxMs: end.maxMs,
    rows: Math.max(0, end.rows - (from?.rows ?? 0)),
    sharedBlksHit: hit,
    sharedBlksRead: read,
    hitRatio: ratio(hit, read),
    plan: null,
    costliest: null,
    planError: null,
    suggestions: [],
  };
}

function tableDiff(end: TableCounters, start: TableCounters | undefined, onReset: () => void) {
  const d = (key: keyof Omit<TableCounters, 'relid' | 'table' | 'liveRows'>) =>
    grown(end[key], start?.[key], onReset);
  const window: TableWindow = {
    table: end.table,
    seqScans: d('seqScans'),
    seqRowsRead: d('seqRowsRead'),
    indexScans: d('indexScans'),
    indexRowsFetched: d('indexRowsFetched'),
    inserted: d('inserted'),
    updated: d('updated'),
    deleted: d('deleted'),
    liveRows: end.liveRows,
  };
  const touched =
    window.seqScans + window.indexScans + window.inserted + window.updated + window.deleted > 0;
  return touched ? window : null;
}

/**
 * What the database did between two snapshots of the same watch: the statements by total time
 * (one new in the window counts whole), the tables touched by sequential rows read, the buffer
 * cache hit ratio, the connections at the end. A reset of the statistics between the snapshots
 * never gives a negative figure: the counts since the reset are taken, and `problems` says so.
 */
export function diffWindow(
  start: DatabaseSnapshot,
  end: DatabaseSnapshot,
  windowS: number,
  { top = 20 }: DiffOptions = {},
): DatabaseSection {
  const problems = [...start.problems, ...end.problems];

  // Statements.
  const before = new Map(start.statements.map((s) => [s.queryId, s]));
  let statementResets = 0;
  const all: Array<Omit<StatementWindow, 'share'>> = [];
  for (const counters of end.statements) {
    const window = statementDiff(counters, before.get(counters.queryId), () => statementResets++);
    if (window) all.push(window);
  }
  if (start.statementsReset !== null && end.statementsReset !== start.statementsReset)
    problems.push(
      `pg_stat_statements was reset during the window (at ${end.statementsReset}): statement figures count from then`,
    );
  else if (statementResets > 0)
    problems.push(
      `${statementResets} statement(s) had their counters reset during the window: their figures count from the reset`,
    );
  if (
    start.statementsEvicted !== null &&
    end.statementsEvicted !== null &&
    end.statementsEvicted > start.statementsEvicted
  )
    problems.push(
      `pg_stat_statements evicted ${end.statementsEvicted - start.statementsEvicted} entries during the window: some statements are missing or undercounted; raise pg_stat_statements.max`,
    );
  const hidden = end.hiddenCalls - start.hiddenCalls;
  if (hidden > 0)
    problems.push(
      `${hidden} call(s) of other roles' statements are hidden from this user: GRANT pg_read_all_stats TO it to see them`,
    );
  const statementTotalMs = all.reduce((sum, s) => sum + s.totalMs, 0);
  const statementCalls = all.reduce((sum, s) => sum + s.calls, 0);
  const statements: StatementWindow[] = all
    .sort((a, b) => b.totalMs - a.totalMs || b.calls - a.calls)
    .slice(0, top)
    .map((s) => ({ ...s, share: statementTotalMs > 0 ? s.totalMs / statementTotalMs : 0 }));

  // Tables.
  const tablesBefore = new Map(start.tables.map((t) => [t.relid, t]));
  let tableResets = false;
  const tables = end.tables
    .map((t) =>
      tableDiff(t, tablesBefore.get(t.relid), () => {
        tableResets = true;
      }),
    )
    .filter((t): t is TableWindow => t !== null)
    .sort(
      (a, b) =>
        b.seqRowsRead - a.seqRowsRead || b.seqScans - a.seqScans || a.table.localeCompare(b.table),
    );
  if (tableResets)
    problems.push(
      'table statistics were reset during the window (pg_stat_reset): table figures count from the reset',
    );

  // The database.
  const a = start.counters;
  const b = end.counters;
  let databaseReset = false;
  const d = (
    key:
      | 'blocksHit'
      | 'blocksRead'
      | 'commits'
      | 'rollbacks'
      | 'deadlocks'
      | 'tempFiles'
      | 'tempBytes',
  ) =>
    b
      ? grown(b[key], a && a.statsReset === b.statsReset ? a[key] : undefined, () => {
          databaseReset = true;
        })
      : 0;
  const blocksHit = d('blocksHit');
  const blocksRead = d('blocksRead');
  const counts = {
    commits: d('commits'),
    rollbacks: d('rollbacks'),
    deadlocks: d('deadlocks'),
    tempFiles: d('tempFiles'),
    tempBytes: d('tempBytes'),
  };
  if (a && b && (databaseReset || a.statsReset !== b.statsReset))
    problems.push(
      'the database statistics were reset during the window: its figures count from the reset',
    );

  return {
    source: end.source,
    url: end.url,
    serverVersion: end.serverVersion,
    database: end.database,
    windowS,
    statementsAvailable: start.statementsAvailable && end.statementsAvailable,
    statementsNote: end.statementsNote ?? start.statementsNote,
    statements: start.statementsAvailable ? statements : [],
    statementCalls: start.statementsAvailable ? statementCalls : 0,
    statementTotalMs: start.statementsAvailable ? statementTotalMs : 0,
    tables,
    cache: { blocksHit, blocksRead, hitRatio: ratio(blocksHit, blocksRead) },
    ...counts,
    connections: end.connections,
    suggestions: [],
    problems: [...new Set(problems)],
  };
}
