import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResult } from '../../src/regress/index.js';
import { OTHER_NAMES, type RunResult } from '../../src/stats/index.js';
import { runCli } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    setTimeout(() => res.end('{}'), req.url === '/slow' ? 20 : 0);
  });
  dir = mkdtempSync(join(tmpdir(), 'fiml-perf-series-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

describe('fiml-perf load --workers 2: per-endpoint series', () => {
  it('merges the workers into series that add up to each endpoint, the overflow name included', async () => {
    const file = join(dir, 'mix.mjs');
    writeFileSync(
      file,
      "import { task, User } from 'fiml-perf';\nexport default class Mix extends User {\n  static tasks = [task(1, 'go')];\n  async go() {\n    await this.client.get('/fast', { name: 'fast' });\n    await this.client.get('/slow', { name: 'slow' });\n    await this.client.get('/item/' + this.random.int(1, 1000000));\n  }\n}\n",
    );
    const json = join(dir, 'mix.json');
    const run = await runCli([
      'load',
      '-f',
      file,
      '--host',
      server.url,
      '-u',
      '4',
      '-t',
      '2s',
      '-w',
      '2',
      '--raw-names',
      '--max-names',
      '4',
      '--json',
      json,
      '-q',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
    expect(result.schemaVersion).toBe(2);
    expect(result.generator.workers).toBe(2);
    const series = result.endpointSeries!;
    expect(Object.keys(series)).toEqual(Object.keys(result.histograms.endpoints));
    expect(Object.keys(series)).toContain(`GET ${OTHER_NAMES}`);
    for (const endpoint of result.endpoints) {
      const s = series[`${endpoint.method} ${endpoint.name}`]!;
      expect(sum(s.requests), endpoint.name).toBe(endpoint.requests);
      expect(s.t.length).toBeGreaterThan(0);
    }
    expect(sum(result.timeseries.map((row) => row.requests))).toBe(result.totals.requests);
    // The slow endpoint's rows, merged from both workers, stay above its server delay.
    for (const p50 of series['GET slow']!.p50) expect(p50).toBeGreaterThanOrEqual(20);
    // What the CLI wrote, compare reads.
    expect(readResult(json).result).toEqual(result);
  });
});
