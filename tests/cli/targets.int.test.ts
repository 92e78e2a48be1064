import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSection } from '../../src/database/index.js';
import type { TargetedResult } from '../../src/targets/index.js';
import { expectUserError, runCli } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

let dir: string;
let plain: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fiml-perf-targets-'));
  plain = await startHttpServer((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404).end('ok');
  });
});
afterAll(async () => {
  await plain.close();
  rmSync(dir, { recursive: true, force: true });
});

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as TargetedResult;
const short = ['-t', '2s', '-u', '2', '-q'];

// Bad input (one line, exit 2): tests/cli/targets-flags.test.ts, in process.
describe('targets and run: exit codes and files', () => {
  it('targets passes (exit 0) when every target holds, writing JUnit and the result', async () => {
    const junit = join(dir, 'pass.xml');
    const json = join(dir, 'pass.json');
    const run = await runCli([
      'targets',
      ...short,
      '--target',
      'requests > 0',
      '--target',
      'p99 < 60s',
      '--junit',
      junit,
      '--json',
      json,
    ]);
    expect(run.stderr).toMatch(/Embedded FIML started/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/requests > 0\s+requests > 0\s+\d+\s+PASS/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="fiml-perf" tests="2" failures="0" errors="0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    const result = read(json);
    expect(result.targets.summary).toEqual({ pass: 2, fail: 0, unknown: 0 });
    expect(result.service.cacheHitRate).toBeGreaterThan(0);
  });

  it('load exits 1 when a target fails, and the JUnit says which', async () => {
    const junit = join(dir, 'fail.xml');
    const run = await runCli(['load', ...short, '--target', 'p50 < 1us', '--junit', junit]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/p50 < 1us .* FAIL/);
    expect(readFileSync(junit, 'utf8')).toMatch(
      /<failure type="target" message="[\d.]+m?s, expected &lt; 1us"/,
    );
  });

  it('a target the service cannot answer is unknown: exit 1 unless --allow-unknown', async () => {
    const args = [
      'load',
      `--host`,
      plain.url,
      '-f',
      join(dir, 'root.mts'),
      // Type-checking is tested elsewhere; here it would only double the time.
      '--no-typecheck',
      ...short,
      '--target',
      'cache_hit_rate > 80%',
      '--target',
      'error_rate < 50%',
    ];
    writeFileSync(
      join(dir, 'root.mts'),
      "import { User, task } from 'fiml-perf';\nexport default class Root extends User {\n  static override tasks = [task(1, 'root')];\n  async root() {\n    await this.client.get('/');\n  }\n}\n",
    );
    const strict = await runCli(args);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(
      /cache_hit_rate > 80% .* UNKNOWN\s+no Prometheus metrics: .*answered 404/,
    );
    const lenient = await runCli([...args, '--allow-unknown']);
    expect(lenient.code).toBe(0);
  });

  it('--abort-on-fail stops the run at the first failed target', async () => {
    const json = join(dir, 'aborted.json');
    const run = await runCli([
      'load',
      '-t',
      '60s',
      '-u',
      '2',
      '-q',
      '--target',
      'p50 < 1us',
      '--abort-on-fail',
      '--abort-delay',
      '1s',
      '--json',
      json,
    ]);
    expect(run.code).toBe(1);
    const result = read(json);
    expect(result.durationS).toBeLessThan(30);
    expect(result.targets.abortedBy).toMatchObject({ target: 'p50 < 1us' });
    expect(run.stdout).toMatch(/Stopped early at [\d.]+s: 'p50 < 1us' failed/);
  });

  it('run writes report.html, result.json, junit.xml and summary.md into a timestamped folder, and latest', async () => {
    const out = join(dir, 'reports');
    const run = await runCli(['run', ...short, '--target', 'requests > 0', '--out', out]);
    expect(run.code).toBe(0);
    const latest = join(out, 'latest');
    expect(lstatSync(latest).isSymbolicLink()).toBe(true);
    for (const file of ['report.html', 'result.json', 'junit.xml', 'summary.md'])
      expect(existsSync(join(latest, file))).toBe(true);
    expect(readFileSync(join(latest, 'summary.md'), 'utf8')).toMatch(
      /\*\*All targets met\*\*: 1 passed/,
    );
    const result = read(join(latest, 'result.json')) as TargetedResult & {
      database?: DatabaseSection;
    };
    expect(result.targets.outcomes[0]!.verdict).toBe('pass');
    // The embedded FIML's own database over the run's window (issue 27): its statements on its
    // tables (the first requests of the seeded users miss the cache: cache_entries is read).
    expect(result.database?.source).toBe('fiml');
    const onFimlTables = result.database?.statements.filter(
      (s) => /\b(market_bars|cache_entries)\b/.test(s.query) && s.calls > 0,
    );
    expect(onFimlTables?.length, JSON.stringify(result.database?.statements)).toBeGreaterThan(0);
    expect(readFileSync(join(latest, 'summary.md'), 'utf8')).toMatch(
      /^## Database\n\nFIML's own database: `postgres:\/\/[^`]+`/m,
    );
    expectUserError(
      await runCli(['run', '--json', 'x.json']),
      /run writes result\.json, junit\.xml and report\.html into its report folder/,
    );
  });
});
