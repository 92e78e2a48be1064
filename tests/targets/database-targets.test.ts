import { describe, expect, it } from 'vitest';
import { buildResult, type GeneratorHealth, StatsRecorder } from '../../src/stats/index.js';
import {
  evaluateTargets,
  parseTarget,
  resultFigures,
  targetFromFlag,
} from '../../src/targets/index.js';
import { WITH_STATEMENTS } from '../fixtures/database/with-statements.js';
import { WITHOUT_STATEMENTS } from '../fixtures/database/without-statements.js';

const GENERATOR: GeneratorHealth = {
  workers: 1,
  cpuPercent: { mean: 10, max: 20 },
  eventLoopLagMs: { p50: 1, p99: 2, max: 3 },
  scheduleLagMs: null,
  dropped: 0,
  maxRssMb: 100,
  saturated: false,
  reasons: [],
};

function result() {
  const recorder = new StatsRecorder(0);
  recorder.record('GET', 'history', 10_000, 100);
  return buildResult(recorder, {
    version: 'test',
    model: 'closed',
    executor: 'constant-users',
    target: 'http://127.0.0.1:1',
    endedAt: 30_000,
    interrupted: false,
    generator: GENERATOR,
    templatedNames: true,
    config: {},
  });
}

const judge = (database: typeof WITH_STATEMENTS | undefined, ...exprs: string[]) =>
  evaluateTargets(
    exprs.map((e) => targetFromFlag(e)),
    resultFigures({ ...result(), ...(database ? { database } : {}) }, 'not scraped', 'none'),
  );

describe('database targets (issue 27)', () => {
  it('parses db.FIGURE with its unit, and names the figures on a typo', () => {
    expect(parseTarget('db.cache_hit_rate > 99%')).toMatchObject({
      metric: { scope: 'db', figure: 'cache_hit_rate' },
      kind: 'rate',
      threshold: 0.99,
    });
    expect(parseTarget('db.max_statement_mean < 50ms')).toMatchObject({
      metric: { scope: 'db', figure: 'max_statement_mean' },
      kind: 'latency',
      threshold: 50,
    });
    expect(() => parseTarget('db.hit_rate > 99%')).toThrow(
      /expected a database figure \(cache_hit_rate, max_statement_mean, large_seq_scans, deadlocks, temp_files\)/,
    );
  });

  it("judges the window's hit ratio, slowest statement, large sequential scans and deadlocks", () => {
    const [hit, mean, scans, deadlocks] = judge(
      WITH_STATEMENTS,
      'db.cache_hit_rate > 99%',
      'db.max_statement_mean < 20ms',
      'db.large_seq_scans < 1',
      'db.deadlocks < 1',
    );
    expect(hit).toMatchObject({ verdict: 'pass', value: WITH_STATEMENTS.cache.hitRatio });
    // The history statement's mean, 48 ms, is the slowest.
    const slowest = Math.max(...WITH_STATEMENTS.statements.map((s) => s.meanMs));
    expect(mean).toMatchObject({ verdict: 'fail', value: slowest });
    expect(mean?.detail).toMatch(/calls of SELECT/);
    const large = WITH_STATEMENTS.tables
      .filter((t) => t.liveRows >= 10_000)
      .reduce((n, t) => n + t.seqScans, 0);
    expect(large).toBeGreaterThan(0);
    expect(scans).toMatchObject({ verdict: 'fail', value: large });
    expect(deadlocks).toMatchObject({ verdict: 'pass', value: 0 });
  });

  it('is unknown, saying why, without pg_stat_statements or without a database', () => {
    const [mean] = judge(WITHOUT_STATEMENTS, 'db.max_statement_mean < 50ms');
    expect(mean).toMatchObject({ verdict: 'unknown', detail: WITHOUT_STATEMENTS.statementsNote });
    const [hit] = judge(undefined, 'db.cache_hit_rate > 99%');
    expect(hit?.verdict).toBe('unknown');
    expect(hit?.detail).toMatch(/no database was watched: give --postgres URL/);
  });
});
