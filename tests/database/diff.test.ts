import { describe, expect, it } from 'vitest';
import {
  type DatabaseSnapshot,
  diffWindow,
  type StatementCounters,
  type TableCounters,
} from '../../src/database/index.js';

const statement = (
  queryId: string,
  counts: Partial<StatementCounters> = {},
): StatementCounters => ({
  queryId,
  query: `SELECT ${queryId}`,
  calls: 0,
  totalMs: 0,
  maxMs: 0,
  rows: 0,
  sharedBlksHit: 0,
  sharedBlksRead: 0,
  ...counts,
});

const table = (relid: number, counts: Partial<TableCounters> = {}): TableCounters => ({
  relid,
  table: `public.t${relid}`,
  seqScans: 0,
  seqRowsRead: 0,
  indexScans: 0,
  indexRowsFetched: 0,
  inserted: 0,
  updated: 0,
  deleted: 0,
  liveRows: 0,
  ...counts,
});

const snapshot = (parts: Partial<DatabaseSnapshot> = {}): DatabaseSnapshot => ({
  at: 0,
  source: 'service',
  url: 'postgres://u:***@h/db',
  serverVersion: '15.18',
  database: 'db',
  statementsAvailable: true,
  statementsNote: null,
  statements: [],
  hiddenCalls: 0,
  statementsReset: '2024-01-01 00:00:00+00',
  statementsEvicted: 0,
  counters: {
    blocksHit: 1000,
    blocksRead: 100,
    commits: 10,
    rollbacks: 1,
    deadlocks: 0,
    tempFiles: 0,
    tempBytes: 0,
    statsReset: null,
  },
  tables: [],
  connections: {},
  problems: [],
  ...parts,
});

describe('diffWindow: statements', () => {
  it('gives each statement its calls, time, rows and blocks in the window, slowest first', () => {
    const start = snapshot({
      statements: [
        statement('1', { calls: 10, totalMs: 100, rows: 10, sharedBlksHit: 50, sharedBlksRead: 5 }),
        statement('2', { calls: 5, totalMs: 10, maxMs: 3 }),
      ],
    });
    const end = snapshot({
      statements: [
        statement('1', {
          calls: 14,
          totalMs: 120,
          rows: 18,
          sharedBlksHit: 80,
          sharedBlksRead: 5,
          maxMs: 9,
        }),
        statement('2', { calls: 15, totalMs: 70, maxMs: 12 }),
      ],
    });
    const section = diffWindow(start, end, 60);
    expect(section.statements.map((s) => [s.queryId, s.calls, s.totalMs, s.rows])).toEqual([
      ['2', 10, 60, 0],
      ['1', 4, 20, 8],
    ]);
    expect(section.statements[1]).toMatchObject({
      meanMs: 5,
      maxMs: 9,
      sharedBlksHit: 30,
      sharedBlksRead: 0,
      hitRatio: 1,
      share: 0.25,
    });
    expect(section.statements[0]!.hitRatio).toBeNull();
    expect(section.statementCalls).toBe(14);
    expect(section.statementTotalMs).toBe(80);
    expect(section.problems).toEqual([]);
  });

  it('counts a statement first seen in the window whole, and leaves out those not called', () => {
    const start = snapshot({ statements: [statement('old', { calls: 3, totalMs: 3 })] });
    const end = snapshot({
      statements: [
        statement('old', { calls: 3, totalMs: 3 }),
        statement('new', { calls: 2, totalMs: 4 }),
      ],
    });
    expect(diffWindow(start, end, 1).statements.map((s) => [s.queryId, s.calls])).toEqual([
      ['new', 2],
    ]);
  });

  it('keeps the top N by total time, the totals over all', () => {
    const end = snapshot({
      statements: Array.from({ length: 30 }, (_, i) =>
        statement(String(i), { calls: 1, totalMs: i + 1 }),
      ),
    });
    const section = diffWindow(snapshot(), end, 1, { top: 3 });
    expect(section.statements.map((s) => s.queryId)).toEqual(['29', '28', '27']);
    expect(section.statementCalls).toBe(30);
    expect(section.statementTotalMs).toBe((30 * 31) / 2);
  });

  it('takes the counts since a reset of pg_stat_statements, never negative ones, and says so', () => {
    const start = snapshot({
      statements: [statement('1', { calls: 100, totalMs: 500, rows: 100 })],
    });
    const end = snapshot({
      statementsReset: '2024-01-01 00:05:00+00',
      statements: [statement('1', { calls: 7, totalMs: 14, rows: 7 })],
    });
    const section = diffWindow(start, end, 60);
    expect(section.statements.map((s) => [s.calls, s.totalMs, s.rows])).toEqual([[7, 14, 7]]);
    expect(section.problems).toEqual([
      'pg_stat_statements was reset during the window (at 2024-01-01 00:05:00+00): statement figures count from then',
    ]);
  });

  it('detects one statement reset on its own (pg_stat_statements_reset(0, 0, queryid))', () => {
    const start = snapshot({ statements: [statement('1', { calls: 100, totalMs: 500 })] });
    const end = snapshot({ statements: [statement('1', { calls: 7, totalMs: 14 })] });
    const section = diffWindow(start, end, 60);
    expect(section.statements[0]).toMatchObject({ calls: 7, totalMs: 14 });
    expect(section.problems).toEqual([
      '1 statement(s) had their counters reset during the window: their figures count from the reset',
    ]);
  });

  it('says when entries were evicted and when other roles’ statements are hidden', () => {
    const end = snapshot({ statementsEvicted: 12, hiddenCalls: 5 });
    expect(diffWindow(snapshot(), end, 1).problems).toEqual([
      'pg_stat_statements evicted 12 entries during the window: some statements are missing or undercounted; raise pg_stat_statements.max',
      "5 call(s) of other roles' statements are hidden from this user: GRANT pg_read_all_stats TO it to see them",
    ]);
  });

  it('has no statements, and the note, without pg_stat_statements', () => {
    const note = 'no statements: pg_stat_statements is not loaded by the server; ...';
    const off = snapshot({
      statementsAvailable: false,
      statementsNote: note,
      statementsReset: null,
    });
    const section = diffWindow(off, off, 1);
    expect(section).toMatchObject({
      statementsAvailable: false,
      statementsNote: note,
      statements: [],
    });
  });
});

describe('diffWindow: tables, the database, connections', () => {
  it('lists the tables touched, most rows read sequentially first', () => {
    const start = snapshot({ tables: [table(1), table(2), table(3, { seqScans: 4 })] });
    const end = snapshot({
      tables: [
        table(1, { seqScans: 2, seqRowsRead: 100, liveRows: 50 }),
        table(2, {
          seqScans: 1,
          seqRowsRead: 5000,
          indexScans: 3,
          indexRowsFetched: 3,
          inserted: 1,
          liveRows: 5000,
        }),
        table(3, { seqScans: 4 }),
        table(4, { updated: 1 }),
      ],
    });
    const section = diffWindow(start, end, 1);
    expect(section.tables).toEqual([
      {
        table: 'public.t2',
        seqScans: 1,
        seqRowsRead: 5000,
        indexScans: 3,
        indexRowsFetched: 3,
        inserted: 1,
        updated: 0,
        deleted: 0,
        liveRows: 5000,
      },
      expect.objectContaining({ table: 'public.t1', seqScans: 2, seqRowsRead: 100 }),
      expect.objectContaining({ table: 'public.t4', updated: 1 }),
    ]);
  });

  it('takes the table counts since a reset (pg_stat_reset), never negative ones', () => {
    const start = snapshot({ tables: [table(1, { seqScans: 50, seqRowsRead: 5000 })] });
    const end = snapshot({ tables: [table(1, { seqScans: 2, seqRowsRead: 200 })] });
    const section = diffWindow(start, end, 1);
    expect(section.tables[0]).toMatchObject({ seqScans: 2, seqRowsRead: 200 });
    expect(section.problems).toContain(
      'table statistics were reset during the window (pg_stat_reset): table figures count from the reset',
    );
  });

  it('gives the cache hit ratio, commits, rollbacks over the window, the connections at its end', () => {
    const end = snapshot({
      counters: {
        blocksHit: 1900,
        blocksRead: 200,
        commits: 30,
        rollbacks: 2,
        deadlocks: 1,
        tempFiles: 2,
        tempBytes: 4096,
        statsReset: null,
      },
      connections: { active: 2, idle: 8 },
    });
    const section = diffWindow(snapshot(), end, 10);
    expect(section.cache).toEqual({ blocksHit: 900, blocksRead: 100, hitRatio: 0.9 });
    expect(section).toMatchObject({
      commits: 20,
      rollbacks: 1,
      deadlocks: 1,
      tempFiles: 2,
      tempBytes: 4096,
      connections: { active: 2, idle: 8 },
      windowS: 10,
    });
  });

  it('has no hit ratio with no block touched', () => {
    expect(diffWindow(snapshot(), snapshot(), 1).cache).toEqual({
      blocksHit: 0,
      blocksRead: 0,
      hitRatio: null,
    });
  });

  it('takes the database counts since its reset (stats_reset changed), and says so', () => {
    const end = snapshot({
      counters: {
        blocksHit: 40,
        blocksRead: 10,
        commits: 3,
        rollbacks: 0,
        deadlocks: 0,
        tempFiles: 0,
        tempBytes: 0,
        statsReset: '2024-01-01 00:05:00+00',
      },
    });
    const section = diffWindow(snapshot(), end, 1);
    expect(section.cache).toEqual({ blocksHit: 40, blocksRead: 10, hitRatio: 0.8 });
    expect(section.commits).toBe(3);
    expect(section.problems).toContain(
      'the database statistics were reset during the window: its figures count from the reset',
    );
  });

  it('keeps the snapshots’ own problems, once each', () => {
    const start = snapshot({ problems: ['could not read pg_stat_activity: denied'] });
    const end = snapshot({ problems: ['could not read pg_stat_activity: denied', 'other'] });
    expect(diffWindow(start, end, 1).problems).toEqual([
      'could not read pg_stat_activity: denied',
      'other',
    ]);
  });
});
