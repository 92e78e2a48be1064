import { describe, expect, it } from 'vitest';
import type { DatabaseSection, StatementWindow } from '../../src/database/index.js';
import { type Finding, findBottlenecks } from '../../src/report/analysis/index.js';
import { runWithDatabase } from '../fixtures/database/run.js';
import { HISTORY_DDL, WITH_STATEMENTS } from '../fixtures/database/with-statements.js';
import { WITHOUT_STATEMENTS } from '../fixtures/database/without-statements.js';
import { makeResult } from './fixtures.js';

/**
 * The report's recommendations from a run's database (issue 27): the index a plan asks for, the
 * statement an endpoint's time is in (claimed only when it can be), a buffer cache that misses.
 */
const findings = (database: DatabaseSection | undefined): Finding[] =>
  findBottlenecks({ result: runWithDatabase(database) });

const withId = (list: Finding[], id: string) => list.filter((f) => f.id === id);

const only = (list: Finding[], id: string): Finding => {
  const found = withId(list, id);
  expect(found, `one '${id}' in ${list.map((f) => f.id).join(', ')}`).toHaveLength(1);
  return found[0] as Finding;
};

const cited = (f: Finding, name: string) => f.evidence.find((e) => e.name === name)?.value;

const HISTORY = WITH_STATEMENTS.statements[0] as StatementWindow;

/** The fixture without its index suggestion (a plan that used an index, say). */
const withoutSuggestions = (database: DatabaseSection): DatabaseSection => ({
  ...database,
  suggestions: [],
  statements: database.statements.map((s) => ({ ...s, suggestions: [] })),
});

describe('database: an index suggestion', () => {
  it("names the statement, its share of the database's time, the scan and the DDL", () => {
    const f = only(findings(WITH_STATEMENTS), 'database-index');
    expect(f.severity).toBe('warning');
    expect(f.title).toMatch(/public\.market_bars \(asset_id, timeframe\)/);
    expect(f.title).toMatch(/98\.5% of the database's time/);
    expect(f.detail).toContain('SELECT to_char(time AT TIME ZONE $4, $5)');
    expect(f.detail).toMatch(/412 sequential scans \(159,888,960 rows, 388,080 live\)/);
    expect(cited(f, "share of the database's statement time")).toBeCloseTo(HISTORY.share, 6);
    expect(cited(f, 'DDL')).toBe(HISTORY_DDL);
    expect(f.action?.command).toBe(HISTORY_DDL);
  });

  it('gives none without a suggestion', () => {
    expect(withId(findings(withoutSuggestions(WITH_STATEMENTS)), 'database-index')).toEqual([]);
  });
});

describe("database: an endpoint's time in one statement", () => {
  it("on FIML's own database, names the one endpoint whose mean latency is mostly the statement", () => {
    const f = only(findings(WITH_STATEMENTS), 'database-endpoint-statement');
    expect(cited(f, 'endpoint')).toBe('POST [Market] Data with History');
    expect(f.title).toMatch(/48 ms of its 57\.5 ms mean/);
    // 48 ms of a 57.5 ms mean.
    expect(cited(f, "share of the endpoint's mean")).toBeCloseTo(48 / 57.546, 3);
  });

  it("claims no endpoint on a service's database: the statements may be another client's", () => {
    const list = findings({ ...WITH_STATEMENTS, source: 'service' });
    expect(withId(list, 'database-endpoint-statement')).toEqual([]);
  });

  it('claims no endpoint when the statement is under half of its mean', () => {
    // 27 ms is 47% of the history endpoint's 57.5 ms mean, and more than the DSL's whole 25.7 ms.
    const list = findings({
      ...WITH_STATEMENTS,
      statements: [{ ...HISTORY, meanMs: 27 }, ...WITH_STATEMENTS.statements.slice(1)],
    });
    expect(withId(list, 'database-endpoint-statement')).toEqual([]);
  });

  it('claims no endpoint when two endpoints could each be waiting on the statement', () => {
    // Two endpoints of 412 requests at 50 ms: the 48 ms statement fits either.
    const run = makeResult({
      endpoints: [
        { method: 'POST', name: '[Market] Data with History', samples: [[50, 412]] },
        { method: 'POST', name: '[Analysis] Portfolio', samples: [[50, 412]] },
      ],
    });
    const list = findBottlenecks({ result: { ...run, database: WITH_STATEMENTS } });
    expect(withId(list, 'database-endpoint-statement')).toEqual([]);
  });

  it('claims no endpoint when the statement ran for fewer than half its requests', () => {
    const list = findings({
      ...WITH_STATEMENTS,
      statements: [{ ...HISTORY, calls: 100 }, ...WITH_STATEMENTS.statements.slice(1)],
    });
    expect(withId(list, 'database-endpoint-statement')).toEqual([]);
  });

  it("without claiming an endpoint, says the database's slowest statement took most of its time", () => {
    const list = findings({ ...withoutSuggestions(WITH_STATEMENTS), source: 'service' });
    const f = only(list, 'database-top-statement');
    expect(f.title).toBe("The database's slowest statement took 98.5% of its time");
    expect(f.detail).toMatch(/not in these figures/);
  });

  it('leaves the slowest statement to the index finding when that already names it', () => {
    const list = findings({ ...WITH_STATEMENTS, source: 'service' });
    expect(withId(list, 'database-top-statement')).toEqual([]);
    expect(withId(list, 'database-index')).toHaveLength(1);
  });

  it('says nothing of statements when pg_stat_statements is not there', () => {
    const ids = findings(WITHOUT_STATEMENTS).map((f) => f.id);
    expect(ids).not.toContain('database-top-statement');
    expect(ids).not.toContain('database-endpoint-statement');
  });
});

describe('database: the buffer cache', () => {
  it('says so when the hit ratio is under 99% with many blocks read', () => {
    const f = only(findings(WITHOUT_STATEMENTS), 'database-cache-hit-ratio');
    expect(f.title).toBe('Database buffer cache hit ratio 96.1% is below 99%');
    expect(cited(f, 'blocks read')).toBe(48_210);
    expect(f.detail).toMatch(/public\.orders \(60,500,000 rows in 1,210 scans\)/);
  });

  it('is quiet at 99% or more', () => {
    expect(withId(findings(WITH_STATEMENTS), 'database-cache-hit-ratio')).toEqual([]);
  });

  it('is quiet with few blocks read, however low the ratio', () => {
    const cold: DatabaseSection = {
      ...WITHOUT_STATEMENTS,
      cache: { blocksHit: 900, blocksRead: 400, hitRatio: 900 / 1_300 },
    };
    expect(withId(findings(cold), 'database-cache-hit-ratio')).toEqual([]);
  });
});

describe('database: no section', () => {
  it('a run without a database gets no database finding', () => {
    expect(findings(undefined).map((f) => f.id)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^database-/)]),
    );
  });
});
