import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/stats/index.js';
import { runCli } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

/**
 * Issue 26, item 6: a run whose requests failed exited 0, so it looked green in CI, where Locust
 * exits 1 (its --exit-code-on-error). Now failures give exit 1 unless targets judge the run.
 */

let server: TestServer;
let dir: string;
/** Answers on each path of the server, counted there: every 20th fails with 500 (5%). */
const answered = new Map<string, { ok: number; failed: number }>();

beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const seen = answered.get(path) ?? { ok: 0, failed: 0 };
    answered.set(path, seen);
    const fail = path.startsWith('/all-ok') ? false : (seen.ok + seen.failed) % 20 === 19;
    if (fail) seen.failed++;
    else seen.ok++;
    res.statusCode = fail ? 500 : 200;
    res.end(fail ? 'boom' : 'ok');
  });
  dir = mkdtempSync(join(tmpdir(), 'fiml-perf-exit-on-error-'));
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as RunResult;

/** A scenario whose one task gets `path`, with no wait between tasks. */
const scenario = (name: string, path: string) => {
  const file = join(dir, name);
  writeFileSync(
    file,
    `import { task, User } from 'fiml-perf';\nexport default class Getter extends User {\n  static tasks = [task(1, 'go')];\n  async go() {\n    await this.client.get('${path}');\n  }\n}\n`,
  );
  return file;
};

/** Quick mode, 1 s on two connections, against `path` (its own, so its counts are its own). */
const quick = (path: string, extra: readonly string[] = []) => {
  const json = join(dir, `${path.slice(1)}.json`);
  return runCli([
    'load',
    `${server.url}${path}`,
    '-c',
    '2',
    '-d',
    '1s',
    '--json',
    json,
    ...extra,
  ]).then((run) => ({ run, json }));
};

describe.concurrent('exit code of a run whose requests failed (issue 26)', () => {
  it('quick mode exits 1 and says why, the failures counted as the server sent them', async () => {
    const { run, json } = await quick('/quick-default');
    const result = read(json);
    const seen = answered.get('/quick-default');
    expect(seen?.failed).toBeGreaterThan(0);
    expect(result.totals.failures).toBe(seen?.failed);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain(
      `Exit 1: ${result.totals.failures.toLocaleString('en-US')} of ${result.totals.requests.toLocaleString('en-US')} requests failed`,
    );
    expect(run.stdout).toContain('--exit-code-on-error 0');
  });

  it('quick mode exits 0 when nothing failed', async () => {
    const { run, json } = await quick('/all-ok');
    expect(read(json).totals.failures).toBe(0);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('Exit 1');
  });

  it('--exit-code-on-error 0 lets failures pass, as Locust does', async () => {
    const { run, json } = await quick('/quick-zero', ['--exit-code-on-error', '0']);
    expect(read(json).totals.failures).toBeGreaterThan(0);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('Exit ');
  });

  it('scenario mode exits with the code --exit-code-on-error gives', async () => {
    const json = join(dir, 'scenario-five.json');
    const run = await runCli([
      'load',
      '-f',
      scenario('five.mjs', '/scenario-five'),
      '--host',
      server.url,
      '-u',
      '2',
      '-t',
      '1s',
      '-q',
      '--json',
      json,
      '--exit-code-on-error',
      '5',
    ]);
    expect(read(json).totals.failures).toBe(answered.get('/scenario-five')?.failed);
    expect(read(json).totals.failures).toBeGreaterThan(0);
    expect(run.code, run.stderr).toBe(5);
    expect(run.stdout).toContain('Exit 5: ');
  });

  it('scenario mode exits 1 by default', async () => {
    const run = await runCli([
      'load',
      '-f',
      scenario('default.mjs', '/scenario-default'),
      '--host',
      server.url,
      '-u',
      '2',
      '-t',
      '1s',
      '-q',
    ]);
    expect(answered.get('/scenario-default')?.failed).toBeGreaterThan(0);
    expect(run.code, run.stderr).toBe(1);
  });

  it('with targets, the targets judge the run: 5% failed passes error_rate < 50%', async () => {
    const [passed, missed] = await Promise.all([
      quick('/target-pass', ['--target', 'error_rate < 50%']),
      quick('/target-miss', ['--target', 'error_rate < 1%']),
    ]);
    expect(read(passed.json).totals.failures).toBeGreaterThan(0);
    expect(passed.run.code, passed.run.stderr).toBe(0);
    expect(missed.run.code, missed.run.stderr).toBe(1);
    expect(missed.run.stdout).not.toContain('Exit 1: ');
  });

  it('run applies --exit-code-on-error over its targets when given', async () => {
    const out = join(dir, 'reports');
    const run = await runCli([
      'run',
      '-f',
      scenario('run.mjs', '/run-seven'),
      '--host',
      server.url,
      '-u',
      '2',
      '-t',
      '1s',
      '-q',
      '--target',
      'error_rate < 50%',
      '--exit-code-on-error',
      '7',
      '--out',
      out,
    ]);
    const result = read(join(out, 'latest', 'result.json'));
    expect(result.totals.failures).toBe(answered.get('/run-seven')?.failed);
    expect(result.totals.failures).toBeGreaterThan(0);
    expect(run.code, run.stderr).toBe(7);
  });
});
