import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/stats/index.js';
import { expectUserError, runCli, spawnCli } from '../helpers/cli.js';
import { closedPort, startHttpServer, type TestServer } from '../helpers/http-server.js';

// A type-check runs the TypeScript compiler: 8-20 s of CPU, more on a loaded machine.
const TYPECHECK_MS = 120_000;

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    res.setHeader('content-type', 'application/json');
    res.statusCode = req.url === '/missing' ? 404 : 200;
    res.end('{"ok":true}');
  });
  dir = mkdtempSync(join(tmpdir(), 'fiml-perf-load-'));
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const scenario = (name: string, source: string) => {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
};

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as RunResult;

describe.concurrent('fiml-perf load: bad input', () => {
  // The flags' own errors: tests/cli/load-flags.test.ts, in process.
  it('gives file and line for a syntax error', async () => {
    const file = scenario(
      'syntax.ts',
      "import { User } from 'fiml-perf';\nexport default class X extends User {\n  static tasks = [\n}\n",
    );
    const run = await runCli(['load', '-f', file, '--no-typecheck', '--host', server.url]);
    expectUserError(run, /syntax\.ts:4:\d+: /);
  });

  it(
    'gives file and line for a type error, in load and in check',
    async () => {
      const file = scenario(
        'types.ts',
        "import { task, User } from 'fiml-perf';\nexport default class X extends User {\n  static override tasks = [task(1, 'go')];\n  async go() {\n    await this.client.get(42);\n  }\n}\n",
      );
      // Side by side: each runs the compiler, the longest step of this file.
      const [load, check] = await Promise.all([
        runCli(['load', '-f', file, '--host', server.url]),
        runCli(['check', '-f', file]),
      ]);
      expectUserError(load, /types\.ts:5:27: .*number.*string/);
      expectUserError(check, /types\.ts:5:27: /);
    },
    TYPECHECK_MS,
  );

  it('lists the user classes when the one asked for does not exist', async () => {
    const run = await runCli([
      'load',
      '-f',
      'scenarios/fiml.ts',
      'NoSuchUser',
      '--host',
      server.url,
      '--no-typecheck',
    ]);
    expectUserError(run, /no user class NoSuchUser .* it has .*FIMLUser.*HighLoadUser/);
  });

  it('says when the host does not accept connections', async () => {
    const port = await closedPort();
    expectUserError(
      await runCli(['load', '--host', `http://127.0.0.1:${port}`, '-t', '1s']),
      /cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused/,
    );
  });
});

describe('fiml-perf load: results', () => {
  it('quick mode writes the JSON result and Locust CSVs', async () => {
    const json = join(dir, 'quick.json');
    const prefix = join(dir, 'quick');
    const run = await runCli([
      'load',
      `${server.url}/ok`,
      '-c',
      '4',
      '-d',
      '1s',
      '--json',
      json,
      '--csv',
      prefix,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/GET\s+\/ok\s+[\d,]+/);
    const result = read(json);
    expect(result).toMatchObject({
      schemaVersion: 2,
      model: 'closed',
      executor: 'constant-users',
      interrupted: false,
    });
    const [endpoint] = result.endpoints;
    expect(endpoint).toMatchObject({ name: '/ok', method: 'GET', failures: 0 });
    expect(endpoint!.requests).toBe(result.totals.requests);
    expect(Object.keys(endpoint!.latencyMs)).toEqual([
      'min',
      'mean',
      'p50',
      'p90',
      'p95',
      'p99',
      'p999',
      'max',
    ]);
    expect(result.timeseries.reduce((n, row) => n + row.requests, 0)).toBe(result.totals.requests);
    expect(result.histograms.endpoints['GET /ok']).toMatch(/^[A-Za-z0-9+/=]+$/);
    const stats = readFileSync(`${prefix}_stats.csv`, 'utf8').trim().split('\n');
    expect(stats[0]).toMatch(
      /^Type,Name,Request Count,Failure Count,Median Response Time,.*,50%,66%,.*,100%,Average Wire Size$/,
    );
    expect(stats[1]).toMatch(new RegExp(`^GET,/ok,${result.totals.requests},0,`));
    expect(stats[2]).toMatch(new RegExp(`^,Aggregated,${result.totals.requests},0,`));
    expect(readFileSync(`${prefix}_stats_history.csv`, 'utf8')).toMatch(
      /^Timestamp,User Count,Type,Name,Requests\/s/,
    );
    expect(readFileSync(`${prefix}_failures.csv`, 'utf8').trim()).toBe(
      'Method,Name,Error,Occurrences',
    );
  });

  it('open-model quick mode records failures by kind', async () => {
    const json = join(dir, 'open.json');
    const run = await runCli([
      'load',
      `${server.url}/missing`,
      '--rate',
      '200',
      // Up to 200 users, not quick mode's 10: a loaded machine that stalls this process half a
      // second then has 100 iterations due at once, and with 10 users dropped 102 of them.
      '--max-users',
      '200',
      '-d',
      '1s',
      '--json',
      json,
    ]);
    // Every request failed: as Locust's, the run exits 1 (issue 26; docs/errors.md).
    expect(run.code).toBe(1);
    const result = read(json);
    expect(result.model).toBe('open');
    // The schedule sets the count: 200 iterations, started or, when every user was busy (a
    // loaded machine answers late), counted as dropped; every one started failed with its 404.
    expect(result.totals.requests + result.generator.dropped).toBe(200);
    expect(result.totals.requests).toBeGreaterThan(100);
    expect(result.errors).toEqual([
      expect.objectContaining({
        kind: 'http',
        status: 404,
        count: result.totals.requests,
        name: '/missing',
      }),
    ]);
    expect(result.generator.scheduleLagMs).not.toBeNull();
  });

  it('merges worker threads into one result', async () => {
    const json = join(dir, 'workers.json');
    const run = await runCli([
      'load',
      `${server.url}/w`,
      '-c',
      '4',
      '-d',
      '1s',
      '-w',
      '2',
      '--json',
      json,
      '-q',
    ]);
    expect(run.code).toBe(0);
    const result = read(json);
    expect(result.generator.workers).toBe(2);
    expect(result.totals.requests).toBeGreaterThan(10);
    expect(result.endpoints[0]!.requests).toBe(result.totals.requests);
  });

  it('Ctrl-C stops the run and still writes the result', async () => {
    const json = join(dir, 'interrupted.json');
    const child = spawnCli(['load', `${server.url}/slow`, '-c', '2', '-d', '60s', '--json', json]);
    let stderr = '';
    await new Promise<void>((resolve) =>
      child.stderr!.on('data', (d) => {
        stderr += d;
        if (/requests [1-9]/.test(stderr)) resolve();
      }),
    );
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(existsSync(json)).toBe(true);
    const result = read(json);
    expect(result.interrupted).toBe(true);
    expect(result.totals.requests).toBeGreaterThan(0);
    expect(result.durationS).toBeLessThan(30);
  });

  it('a second Ctrl-C stops at once, without waiting out the grace period, and still writes', async () => {
    const json = join(dir, 'hard-stop.json');
    const child = spawnCli([
      'load',
      `${server.url}/hang`,
      '-c',
      '2',
      '-d',
      '60s',
      '--stop-timeout',
      '60s',
      '--json',
      json,
    ]);
    await new Promise<void>((resolve) =>
      child.stderr!.on('data', (d) => {
        if (/elapsed/.test(String(d))) resolve();
      }),
    );
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    const result = read(json);
    expect(result.interrupted).toBe(true);
    // The two requests in flight were cut off, not counted.
    expect(result.totals.requests).toBe(0);
  });

  it('runs the standard scenario against embedded FIML when no host is given', async () => {
    const json = join(dir, 'standard.json');
    const run = await runCli(['load', '-u', '20', '-t', '3s', '--json', json, '-q']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/Embedded FIML started at http:\/\/127\.0\.0\.1:\d+/);
    const result = read(json);
    expect(result.config).toMatchObject({ embeddedFiml: true });
    expect(result.totals.requests).toBeGreaterThan(5);
    expect(result.totals.failures).toBe(0);
    const seedNames = /^\[(Price|Market|System|Narrative|Analysis|DSL)\] /;
    for (const e of result.endpoints) expect(e.name).toMatch(seedNames);
  });
});

// Each test writes its own files and starts its own processes: they run side by side.
describe.concurrent('fiml-perf load: a scenario outside the repository', () => {
  // A folder of its own with no package.json anywhere above it but /tmp's (none), as a user's.
  const outside = mkdtempSync(join(tmpdir(), 'fiml-perf-outside-'));
  afterAll(() => rmSync(outside, { recursive: true, force: true }));
  const source = (cls: string) =>
    `import { constant, task, User } from 'fiml-perf';\nexport default class ${cls} extends User {\n  static waitTime = constant(0.01);\n  static tasks = [task(1, 'go')];\n  async go() {\n    await this.client.get('/ok', { name: 'plain' });\n  }\n}\n`;

  it.each(['ts', 'mts', 'cts', 'js', 'mjs'])(
    'a .%s file imports fiml-perf without an install of its own, and runs',
    async (ext) => {
      const file = join(outside, `price-${ext}.${ext}`);
      writeFileSync(file, source(`Price${ext}`));
      const json = join(outside, `${ext}.json`);
      const args = ['-f', file, '--host', server.url, '-u', '2', '-t', '1s'];
      const run = await runCli(['load', ...args, '--no-typecheck', '--json', json, '-q']);
      expect(run.code, run.stderr).toBe(0);
      const result = read(json);
      expect(result.endpoints.map((e) => e.name)).toEqual(['plain']);
      expect(result.totals.requests).toBeGreaterThan(10);
      expect(result.config).toMatchObject({
        embeddedFiml: false,
        userClasses: [{ name: `Price${ext}`, weight: 1 }],
      });
    },
  );

  it(
    'a .ts file is an ES module there: top-level await and import.meta work',
    async () => {
      writeFileSync(join(outside, 'symbols.txt'), 'AAPL\n');
      const file = join(outside, 'tla.ts');
      writeFileSync(
        file,
        "import { readFile } from 'node:fs/promises';\nimport { task, User } from 'fiml-perf';\nconst symbol = (await readFile(new URL('symbols.txt', import.meta.url), 'utf8')).trim();\nexport default class Tla extends User {\n  static override tasks = [task(1, 'go')];\n  async go() {\n    await this.client.get('/ok', { name: symbol });\n  }\n}\n",
      );
      const run = await runCli(['check', '-f', file]);
      expect(run.code, run.stderr).toBe(0);
      const json = join(outside, 'tla.json');
      // Type-checked once, by check above: the run tests the module at run time.
      const load = await runCli([
        'load',
        '-f',
        file,
        '--host',
        server.url,
        '-t',
        '1s',
        '--no-typecheck',
        '--json',
        json,
        '-q',
      ]);
      expect(load.code, load.stderr).toBe(0);
      expect(read(json).endpoints.map((e) => e.name)).toEqual(['AAPL']);
    },
    TYPECHECK_MS,
  );

  it(
    'a .ts file in a package that says "type": "commonjs" is CommonJS, and still imports fiml-perf',
    async () => {
      const pkg = join(outside, 'cjs');
      mkdirSync(pkg);
      writeFileSync(join(pkg, 'package.json'), '{"type":"commonjs"}');
      const file = join(pkg, 'price.ts');
      writeFileSync(file, source('InCjs'));
      const run = await runCli(['check', '-f', file]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/InCjs \(default\)/);
    },
    TYPECHECK_MS,
  );
});

describe('fiml-perf load: request names', () => {
  const perId = () =>
    scenario(
      'per-id.mjs',
      "import { task, User } from 'fiml-perf';\nexport default class PerId extends User {\n  static tasks = [task(1, 'go')];\n  async go() {\n    await this.client.get('/item/' + this.random.int(1, 1000000));\n  }\n}\n",
    );
  const runPerId = (name: string, extra: string[]) => {
    const prefix = join(dir, name);
    const args = ['load', '-f', perId(), '--host', server.url, '-u', '4', '-t', '1s', '-q'];
    return runCli([...args, '--json', `${prefix}.json`, '--csv', prefix, ...extra]).then((run) => ({
      run,
      prefix,
    }));
  };

  it('names per-id URLs by their template in the result and the CSV', async () => {
    const { run, prefix } = await runPerId('templated', []);
    expect(run.code, run.stderr).toBe(0);
    // The first 20 ids keep their names, the rest are one row (docs/load.md, "How requests are
    // named").
    const names = read(`${prefix}.json`).endpoints.map((e) => e.name);
    expect(names).toHaveLength(21);
    expect(names).toContain('/item/:id');
    for (const name of names) expect(name).toMatch(/^\/item\/(\d+|:id)$/);
    const rows = readFileSync(`${prefix}_stats.csv`, 'utf8').trim().split('\n');
    const csvNames = rows.map((r) => r.split(',')[1]);
    expect(csvNames[0]).toBe('Name');
    expect(csvNames.at(-1)).toBe('Aggregated');
    expect(csvNames.slice(1, -1).sort()).toEqual([...names].sort());
    expect(run.stdout).not.toMatch(/other names/);
  });

  it('--raw-names and --max-names: past the cap, one overflow row in every output and one warning, with workers', async () => {
    const { run, prefix } = await runPerId('raw', ['--raw-names', '--max-names', '5', '-w', '2']);
    expect(run.code, run.stderr).toBe(0);
    const result = read(`${prefix}.json`);
    expect(result.endpoints.map((e) => e.name)).toHaveLength(6);
    expect(result.endpoints.map((e) => e.name)).toContain('(other names)');
    expect(result.names).toMatchObject({ max: 5, recorded: 5, templated: false });
    const named = result.endpoints.filter((e) => e.name !== '(other names)');
    expect(result.names!.overflowRequests + named.reduce((n, e) => n + e.requests, 0)).toBe(
      result.totals.requests,
    );
    expect(result.names!.overflowRequests).toBeGreaterThan(100);
    const rows = readFileSync(`${prefix}_stats.csv`, 'utf8').trim().split('\n');
    expect(rows.map((r) => r.split(',')[1])).toContain('(other names)');
    expect(run.stderr.match(/WARNING: more than 5 distinct request names/g)).toHaveLength(1);
    expect(run.stdout).toMatch(
      /WARNING: about [\d,]+ request names past the first 5 \([\d,]+ requests\) were recorded as '\(other names\)'/,
    );
  });
});

describe('fiml-perf check', () => {
  it(
    'shows the classes of the standard scenario and each task share',
    async () => {
      const run = await runCli(['check', '-f', 'scenarios/fiml.ts']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/FIMLUser \(default\): weight 1, wait between\(1, 5\)/);
      expect(run.stdout).toMatch(/40\.0%\s+PriceQueryTasks\.simpleQuery/);
      expect(run.stdout).toMatch(/1\.0%\s+DSLQueryTasks\.validate/);
      expect(run.stdout).toMatch(/UncachedQueryUser: weight 1, wait between\(1, 3\)/);
    },
    TYPECHECK_MS,
  );
});
