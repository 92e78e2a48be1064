/**
 * `--csv` writes the files Locust 2.x writes, with its headers (recorded from a real Locust run in
 * tests/fixtures/locust/), one failures row per distinct message, and the task exceptions in
 * `_exceptions.csv` (issue 26, items 4 and 5).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { locustHeaders, parseCsv } from '../helpers/csv.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

const LOCUST = readFileSync(new URL('../fixtures/locust/csv-2.12.1.txt', import.meta.url), 'utf8');

// The fixture's locustfile, written for fiml-perf: a page, a check that fails with one of three
// reasons, a 404 and a task that throws.
const SCENARIO = `import { constant, task, User } from 'fiml-perf';
export default class WebUser extends User {
  static waitTime = constant(0.01);
  static tasks = [task(1, 'home'), task(1, 'check'), task(1, 'missing'), task(1, 'boom')];
  n = 0;
  async home() {
    await this.client.get('/');
  }
  async check() {
    this.n += 1;
    const reason = 'uuid starts with ' + ((this.n % 3) + 1);
    await this.client.get('/c', { check: () => reason });
  }
  async missing() {
    await this.client.get('/missing');
  }
  async boom() {
    throw new Error('boom');
  }
}
`;

let server: TestServer;
let dir: string;
let prefix: string;
let stderr: string;
const hits = new Map<string, number>();
const read = (file: string) => readFileSync(`${prefix}_${file}.csv`, 'utf8');

beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
    res.statusCode = req.url === '/missing' ? 404 : 200;
    res.end('hello\n');
  });
  dir = mkdtempSync(join(tmpdir(), 'fiml-perf-csv-'));
  prefix = join(dir, 'out');
  const file = join(dir, 'locustfile.mjs');
  writeFileSync(file, SCENARIO);
  const run = await runCli([
    'load',
    '-f',
    file,
    '--host',
    server.url,
    '-u',
    '2',
    '-r',
    '2',
    '-t',
    '2s',
    '-q',
    '--csv',
    prefix,
  ]);
  stderr = run.stderr;
}, 60_000);

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('--csv beside Locust 2.12.1', () => {
  it("starts each file with Locust's header; our history columns come after Locust's", () => {
    const headers = locustHeaders(LOCUST);
    expect(stderr).not.toMatch(/internal error/);
    for (const file of ['failures', 'exceptions'])
      expect(read(file).split('\n')[0], file).toBe(headers.get(file));
    // Locust's columns first, in its order; ours after them.
    const ours = { stats: 'Average Wire Size', stats_history: 'New Connections' };
    for (const [file, extra] of Object.entries(ours)) {
      const header = read(file).split('\n')[0]!;
      expect(header.startsWith(`${headers.get(file)},`), file).toBe(true);
      expect(header.slice(headers.get(file)!.length + 1), file).toBe(extra);
    }
  });

  it('writes a failures row per distinct message, counting what the server answered', () => {
    const rows = parseCsv(read('failures')).slice(1);
    const checks = rows.filter(([method, name]) => method === 'GET' && name === '/c');
    expect(checks.map((r) => r[2]).sort()).toEqual([
      'check: uuid starts with 1',
      'check: uuid starts with 2',
      'check: uuid starts with 3',
    ]);
    expect(checks.reduce((n, r) => n + Number(r[3]), 0)).toBe(hits.get('/c'));
    const missing = rows.filter(([, name]) => name === '/missing');
    expect(missing).toEqual([['GET', '/missing', 'http: HTTP 404', String(hits.get('/missing'))]]);
    // A task that threw is not a request: Locust lists it in _exceptions.csv only.
    expect(rows.filter(([method]) => method === 'TASK')).toEqual([]);
  });

  it('lists the task exceptions in _exceptions.csv with their count, message and traceback', () => {
    const rows = parseCsv(read('exceptions')).slice(1);
    expect(rows).toEqual([
      [
        expect.stringMatching(/^[1-9]\d*$/),
        'boom',
        expect.stringMatching(/^ +at WebUser\.boom \(file:\/\/\S+\/locustfile\.mjs:18:\d+\)\n/),
        'local',
      ],
    ]);
  });
});
