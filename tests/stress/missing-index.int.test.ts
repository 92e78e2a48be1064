import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatabaseSection } from '../../src/database/index.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-missing-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Issue 27: the fault drops the index FIML's history query needs; the database's view of the
// phase must name the statement, its sequential scan and the index; restoring it restores the
// latency. Through the CLI, on the embedded FIML and its embedded PostgreSQL, as a user runs it.
describe('stress faults: missing-index', () => {
  it('names the statement, its sequential scan and the index, and the latency comes back', {
    timeout: 120_000,
  }, async () => {
    const json = join(dir, 'faults.json');
    const run = await runCli([
      'stress',
      'faults',
      '--only',
      'missing-index',
      '--phase',
      '5s',
      '--rate',
      '15',
      '-q',
      '--json',
      json,
    ]);
    expect(run.stdout, run.stderr).toMatch(/missing-index \(.*\): PASS/);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /Watching FIML's own database postgres:\/\/postgres@127\.0\.0\.1:\d+/,
    );
    const result = JSON.parse(readFileSync(json, 'utf8')) as {
      stress: { scenarios: { name: string; checks: { expect: string; observed: string }[] }[] };
      database: DatabaseSection;
    };
    const [scenario] = result.stress.scenarios;
    expect(scenario?.checks.map((c) => c.observed)).toEqual([
      expect.stringMatching(/^SELECT .*FROM market_bars.*costliest node Seq Scan$/),
      'CREATE INDEX CONCURRENTLY ON public.market_bars (asset_id, timeframe, "time" DESC)',
      expect.stringMatching(/^the history statement's mean [\d.]+ ms with the index/),
      expect.stringMatching(/^the history statement's mean [\d.]+ ms with the index/),
    ]);
    // The last phase (index restored) is the result: its history statement scans the index.
    const history = result.database.statements.find((s) => /FROM market_bars/.test(s.query));
    expect(history?.calls).toBeGreaterThan(0);
    expect(history?.costliest?.nodeType).not.toBe('Seq Scan');
    expect(result.database.suggestions).toEqual([]);
  });
});
