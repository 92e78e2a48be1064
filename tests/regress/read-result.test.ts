import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compareFiles, RegressError, readResult } from '../../src/regress/index.js';
import { buildResult, type RunResult, StatsRecorder } from '../../src/stats/index.js';
import { expectUserError } from '../helpers/cli.js';
import { runCliInProcess as runCli } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-read-result-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A result written by fiml-perf before per-endpoint series (0.1.0), trimmed to two seconds. */
const V1 = fileURLToPath(new URL('../fixtures/results/load-v1.json', import.meta.url));

const write = (name: string, data: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data));
  return path;
};

/** A version 2 result as the current code writes it: two endpoints over three seconds. */
function currentResult(): RunResult {
  const recorder = new StatsRecorder(0);
  for (let second = 1; second <= 3; second++) {
    for (let i = 0; i < 100; i++) recorder.record('GET', 'fast', 1000 + i * 10, 11);
    for (let i = 0; i < 30; i++) recorder.record('GET', 'slow', 31_000 + i * 100, 11);
    recorder.tick(second * 1000, 4);
  }
  return buildResult(recorder, {
    version: 'test',
    model: 'closed',
    executor: 'constant-users',
    target: 'http://127.0.0.1:1',
    endedAt: 3000,
    interrupted: false,
    generator: {
      workers: 1,
      cpuPercent: { mean: 1, max: 1 },
      eventLoopLagMs: { p50: 0, p99: 0, max: 0 },
      scheduleLagMs: null,
      dropped: 0,
      maxRssMb: 1,
      saturated: false,
      reasons: [],
    },
    templatedNames: true,
    config: {},
  });
}

describe('reading load-test results of every schema version', () => {
  it('reads a version 1 result, which has no per-endpoint series', () => {
    const read = readResult(V1);
    expect(read.kind).toBe('load');
    const result = read.result as RunResult;
    expect(result.schemaVersion).toBe(1);
    expect(result.endpointSeries).toBeUndefined();
    expect(result.endpoints.map((e) => e.name)).toEqual(['fast', 'slow']);
    expect(result).toEqual(JSON.parse(readFileSync(V1, 'utf8')));
  });

  it('round-trips a version 2 result, series and all', () => {
    const result = currentResult();
    expect(result.schemaVersion).toBe(2);
    const path = write('v2.json', result);
    const read = readResult(path).result as RunResult;
    expect(read).toEqual(JSON.parse(JSON.stringify(result)));
    expect(read.endpointSeries!['GET fast']).toMatchObject({ stepS: 1, requests: [100, 100, 100] });
    expect(Object.keys(read.endpointSeries!)).toEqual(Object.keys(read.histograms.endpoints));
  });

  it('compares a version 1 result with a version 2 one', () => {
    const report = compareFiles(V1, write('v2-compare.json', currentResult()));
    expect(report.kind).toBe('load');
    expect(report.comparisons.map((c) => c.id)).toContain('GET fast p50');
  });

  it.each([
    [
      'a version it does not know',
      { schemaVersion: 3 },
      /schemaVersion: version 3 was written by a newer fiml-perf \(this one reads 1, 2\); update fiml-perf/,
    ],
    [
      'a version 2 result without its series',
      { endpointSeries: undefined },
      /endpointSeries: expected per-endpoint series in a version 2 result/,
    ],
    [
      'a series whose columns differ in length',
      {
        endpointSeries: {
          'GET a': {
            stepS: 1,
            t: [1, 2],
            requests: [1],
            failures: [0],
            p50: [1],
            p90: [1],
            p95: [1],
            p99: [1],
            max: [1],
          },
        },
      },
      /endpointSeries\.GET a: columns of different lengths/,
    ],
  ])('refuses %s with one line', (_what, change, pattern) => {
    const path = write('bad.json', { ...currentResult(), ...change });
    expect(() => readResult(path)).toThrow(RegressError);
    expect(() => readResult(path)).toThrow(pattern);
  });

  it('fiml-perf compare exits 2 with one line for a version it does not know', async () => {
    const path = write('v3.json', { ...currentResult(), schemaVersion: 3 });
    expectUserError(
      await runCli(['compare', V1, path]),
      /v3\.json is not a fiml-perf load-test result: schemaVersion: version 3 was written by a newer fiml-perf/,
    );
  });
});
