import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { expectUserError, runCli } from '../helpers/cli.js';
import { startFiml } from '../helpers/fiml.js';

let dir: string;
let plain: RunningFiml;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fiml-perf-stress-'));
  plain = await startFiml();
});
afterAll(async () => {
  await plain.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('fiml-perf stress', () => {
  it('peak writes its section and exits 1 when its verdict fails', async () => {
    const json = join(dir, 'peak.json');
    const run = await runCli([
      'stress',
      'peak',
      '--host',
      plain.url,
      '--normal',
      '10',
      '-t',
      '2s',
      '--max-error-rate',
      '0',
      '-q',
      '--json',
      json,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /Peak 20\/s: error rate 0% \(limit 0%\), p95 [\d.]+m?s \(limit 1\.00s\)/,
    );
    expect(run.stdout).toMatch(/Verdict: FAIL/);
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.schemaVersion).toBe(2);
    expect(result.stress).toMatchObject({ kind: 'peak', rate: 20, verdict: 'fail' });
    expect(result.totals.requests).toBeGreaterThan(0);
  });

  it('faults against a service without fault injection: exit 2, one line saying how', async () => {
    expectUserError(
      await runCli(['stress', 'faults', '--host', plain.url]),
      /has no fault injection \(404 on \/admin\/faults\): start it with 'fiml-perf serve --enable-fault-injection'/,
    );
  });

  it.each([
    [
      ['stress', 'peak', '--max-error-rate', '120%'],
      /--max-error-rate "120%": expected a share such as 5% or 0\.05/,
    ],
    [['stress', 'spike', '--before', 'soon'], /--before "soon": expected a duration/],
    [['stress', 'breakpoint', '--target', 'p95 < 1'], /'p95 < 1' at column 7: p95 is a latency/],
    [['stress', 'storm'], /unknown command 'storm'/],
  ])('%j exits 2', async (args, pattern) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(pattern);
  });
});
