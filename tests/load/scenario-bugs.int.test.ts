/**
 * A scenario's own bugs (issue 25): each is the user's error, said in one line (exit 2), or the
 * task's error, counted, with the run going on and its result written. Never a crash.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUserError, runCli } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

const buggy = (name: string) => `tests/fixtures/scenarios/buggy/${name}.ts`;
const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-buggy-'));
let server: TestServer;
let served = 0;

beforeAll(async () => {
  server = await startHttpServer((_req, res) => {
    served++;
    res.end('ok');
  });
});
afterAll(async () => {
  await server?.close();
});

describe("a scenario's bugs that are the user's to fix: one line, exit 2, nothing sent", () => {
  it('a task naming a method the class lacks: check does not say OK, load stops before the run', async () => {
    const check = await runCli(['check', '-f', buggy('missing-method')]);
    expectUserError(check, /MissingMethod\.tasks\[0\]: MissingMethod has no method 'nope'/);
    expect(check.stdout).not.toMatch(/OK/);
    served = 0;
    const load = await runCli([
      'load',
      '-f',
      buggy('missing-method'),
      '--host',
      server.url,
      '-t',
      '2s',
      '--no-typecheck',
    ]);
    expectUserError(load, /has no method 'nope'/);
    expect(served).toBe(0);
  });

  for (const workers of ['1', '2'])
    it(`a constructor that throws (${workers} worker(s)): one line naming it`, async () => {
      served = 0;
      const load = await runCli([
        'load',
        '-f',
        buggy('throwing-constructor'),
        '--host',
        server.url,
        '-u',
        '2',
        '-t',
        '2s',
        '-w',
        workers,
        '--no-typecheck',
        '-q',
      ]);
      expect(load.code, load.stderr).toBe(2);
      expect(load.stderr.trim().split('\n').at(-1)).toBe(
        "fiml-perf: ThrowingConstructor's constructor threw: my constructor broke; fix it, or move the work to onStart()",
      );
      expect(load.stderr).not.toMatch(/\n\s+at /);
      expect(served).toBe(0);
    });
});

describe("a task's stray errors: counted as the task's, the run goes on", () => {
  for (const workers of ['1', '2'])
    it(`a promise not awaited and a throw in a timer (${workers} worker(s)): exit 1 as Locust's, each counted, the result whole`, async () => {
      served = 0;
      const json = join(dir, `stray-${workers}.json`);
      const load = await runCli([
        'load',
        '-f',
        buggy('stray-errors'),
        '--host',
        server.url,
        '-u',
        '2',
        '-t',
        '2s',
        '-w',
        workers,
        '--no-typecheck',
        '-q',
        '--json',
        json,
      ]);
      // The run went on to its end; its tasks' exceptions make it exit 1, as Locust's (issue 26).
      expect(load.code, load.stderr).toBe(1);
      expect(load.stdout).toMatch(/Exit 1: [\d,]+ exception\(s\) in tasks\./);
      const result = JSON.parse(readFileSync(json, 'utf8'));
      expect(result.totals.requests).toBe(served);
      const exceptions = result.errors.filter((e: { kind: string }) => e.kind === 'exception');
      const count = exceptions.reduce((n: number, e: { count: number }) => n + e.count, 0);
      // One rejection and one timer's throw for each task run (a task whose timer had not fired
      // by the end leaves one short).
      expect(count).toBeGreaterThanOrEqual(2 * served - 2 * 2);
      expect(exceptions[0].name).toBe('StrayErrors');
      expect(exceptions[0].message).toMatch(
        /^careless: (a promise it did not await rejected: a stray rejection|a callback it left threw: a throw in a timer)$/,
      );
    });

  it('under the live UI too: the UI lives on and the test ends with its result', async () => {
    const json = join(dir, 'ui-stray.json');
    const run = await runCli([
      'ui',
      '-f',
      buggy('stray-errors'),
      '--host',
      server.url,
      '-u',
      '2',
      '-t',
      '2s',
      '--web-port',
      '0',
      '--autostart',
      '--autoquit',
      '0',
      '--no-typecheck',
      '--json',
      json,
    ]);
    // The test ended with its result; its tasks' exceptions give exit 1, as in load (issue 26).
    expect(run.code, run.stderr).toBe(1);
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.errors.some((e: { kind: string }) => e.kind === 'exception')).toBe(true);
  });
});

describe('a task that does not await its requests', () => {
  it('is named once in the result, in a group of its own', async () => {
    const json = join(dir, 'unawaited.json');
    const load = await runCli([
      'load',
      '-f',
      buggy('unawaited'),
      '--host',
      server.url,
      '-u',
      '3',
      '-t',
      '2s',
      '--no-typecheck',
      '-q',
      '--json',
      json,
    ]);
    // Its error makes the run exit 1, as Locust's (issue 26).
    expect(load.code, load.stderr).toBe(1);
    expect(load.stdout).toMatch(
      /Unawaited\.hasty: hasty: returned with \d+ request\(s\) it did not await/,
    );
    const result = JSON.parse(readFileSync(json, 'utf8'));
    const said = result.errors.filter((e: { name: string }) => e.name === 'Unawaited.hasty');
    expect(said).toHaveLength(1);
    expect(said[0].count).toBe(1);
    expect(said[0].message).toMatch(/await each one/);
  });
});

describe('a task that fills the heap', () => {
  it('is warned of, then the run stops before the process dies: the result written with the reason, exit 130', async () => {
    served = 0;
    const json = join(dir, 'leaky.json');
    const load = await runCli(
      [
        'load',
        '-f',
        buggy('leaky'),
        '--host',
        server.url,
        '-u',
        '4',
        '-t',
        '60s',
        '--max-heap',
        '50%',
        '--no-typecheck',
        '-q',
        '--json',
        json,
      ],
      // A small heap, so the test need not fill gigabytes.
      { NODE_OPTIONS: '--max-old-space-size=192' },
    );
    expect(load.code, load.stderr).toBe(130);
    expect(load.stderr).toMatch(
      /WARNING: the generator's heap is at \d+% of its limit .*--max-heap/,
    );
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.interrupted).toBe(true);
    expect(result.stopReason).toMatch(/^the generator's heap is at \d+% of its limit/);
    expect(result.durationS).toBeLessThan(60);
    expect(result.totals.requests).toBe(served);
    expect(load.stdout).toMatch(/Stopped early after [\d.]+s \(the generator's heap is at/);
  }, 90_000);
});
