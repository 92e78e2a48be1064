/**
 * A task that never yields (issue 25, item 6): its synchronous loop freezes the thread its users
 * run on, so no timer fires there, not the run's end, not a Ctrl-C's handler. The run still ends
 * (at --max-block), names where the task is stuck, and writes its result: figures that agree with
 * the server's count of what was sent before the freeze.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Finished, spawnCli } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { hasRedis, type PrivateRedis, startRedis } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

const scenario = 'tests/fixtures/scenarios/buggy/sync-loop.ts';
const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-stuck-'));
let server: TestServer;
let served = 0;

beforeAll(async () => {
  // Only the scenario's requests: the UI also asks the service for its health.
  server = await startHttpServer((req, res) => {
    if (req.url === '/') served++;
    if (req.url === '/slow') setTimeout(() => res.end('ok'), 8000);
    else res.end('ok');
  });
});
afterAll(async () => {
  await server?.close();
});

/** `-f FILE` against the counting server, 2 users, no type check (the fixtures are checked). */
const against = (file: string) => ['-f', file, '--host', server.url, '-u', '2', '--no-typecheck'];

const stuckLine =
  /WARNING: task Spinner\.spin did not yield for [\d.]+s \(--max-block\): stuck in Spinner\.spin \(tests\/fixtures\/scenarios\/buggy\/sync-loop\.ts:18:\d+\)/;

/**
 * Runs the CLI (pressing Ctrl-C twice once the thread froze, with `ctrlC`); a process still alive after 40 s is killed (a
 * frozen run never ends by itself: the test fails instead of leaving it behind).
 */
async function run(args: string[], ctrlC = false): Promise<Finished> {
  const child = spawnCli(args);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const bound = setTimeout(() => child.kill('SIGKILL'), 40_000);
  try {
    if (ctrlC) {
      await until(() => served >= 20, 'the scenario sent its 20 requests');
      child.kill('SIGINT');
      child.kill('SIGINT');
    }
    return { code: await closed, stdout, stderr };
  } finally {
    clearTimeout(bound);
  }
}

function expectEndedWithResult(run: Finished, json: string): void {
  expect(run.code, run.stderr).toBe(130);
  expect(run.stderr).toMatch(stuckLine);
  expect(run.stderr).not.toMatch(/Waiting for the debugger|internal error|\n\s+at /);
  const result = JSON.parse(readFileSync(json, 'utf8'));
  expect(result.interrupted).toBe(true);
  expect(result.stopReason).toMatch(/^task Spinner\.spin did not yield .* stuck in Spinner\.spin/);
  // The freeze is the generator's own failure: said as such, not a healthy generator.
  expect(result.generator.saturated).toBe(true);
  expect(result.generator.reasons.join()).toMatch(/a task blocked the event loop for [\d.]+s/);
  // Every request the server answered before the freeze is in the result, but for those whose
  // answer reached the frozen thread too late to be read (one for each other user at most).
  expect(result.totals.requests).toBeGreaterThanOrEqual(served - 1);
  expect(result.totals.requests).toBeLessThanOrEqual(served);
  expect(run.stdout).toMatch(/Stopped early after .*did not yield/);
}

it('a run past its time with a frozen thread ends at --max-block, its outputs written', async () => {
  served = 0;
  const json = join(dir, 'time.json');
  const html = join(dir, 'time.html');
  const ran = await run([
    'load',
    ...against(scenario),
    '-t',
    '2s',
    '--max-block',
    '1s',
    '--json',
    json,
    '--html',
    html,
  ]);
  expectEndedWithResult(ran, json);
  expect(served).toBeGreaterThanOrEqual(20);
  expect(existsSync(html)).toBe(true);
  const page = readFileSync(html, 'utf8');
  expect(page).toContain('did not yield');
  // The advice is to fix the task: more workers would freeze the same way.
  expect(page).toContain('Fix the task that kept the event loop');
  expect(page).not.toContain('more workers (--workers) or less load');
}, 60_000);

it('Ctrl-C pressed while the thread is frozen (its handler cannot run): the run still ends, its result written', async () => {
  served = 0;
  const json = join(dir, 'ctrl-c.json');
  const ran = await run(
    ['load', ...against(scenario), '-t', '10m', '--max-block', '2s', '--json', json],
    true,
  );
  expectEndedWithResult(ran, json);
}, 60_000);

it('users on worker threads: the frozen worker is named and ended, every request kept', async () => {
  served = 0;
  const json = join(dir, 'workers.json');
  const ran = await run([
    'load',
    ...against(scenario),
    '-w',
    '2',
    '-t',
    '10m',
    '--max-block',
    '1s',
    '--json',
    json,
  ]);
  expect(ran.code, ran.stderr).toBe(130);
  expect(ran.stderr).toMatch(
    /WARNING: task Spinner\.spin did not yield for [\d.]+s \(--max-block\): stuck in Spinner\.spin \(tests\/fixtures\/scenarios\/buggy\/sync-loop\.ts:18:\d+\), in worker [12] of 2: the run is ended/,
  );
  const result = JSON.parse(readFileSync(json, 'utf8'));
  expect(result.stopReason).toMatch(/in worker [12] of 2$/);
  expect(result.totals.requests).toBe(served);
}, 60_000);

it('the UI: a frozen test ends the process, its result kept in the temporary folder', async () => {
  served = 0;
  const ran = await run([
    'ui',
    '-f',
    scenario,
    '--host',
    server.url,
    '--web-port',
    '0',
    '--autostart',
    '-u',
    '2',
    '-t',
    '10m',
    '--max-block',
    '1s',
    '--no-typecheck',
  ]);
  expect(ran.code, ran.stderr).toBe(130);
  const kept =
    /fiml-perf: task Spinner\.spin did not yield for [\d.]+s \(--max-block\): stuck in Spinner\.spin \(tests\/fixtures\/scenarios\/buggy\/sync-loop\.ts:18:\d+\); this process ends \(its thread cannot run again\); its result so far is in (\S+\.json)/.exec(
      ran.stderr,
    );
  expect(kept, ran.stderr).not.toBeNull();
  // The UI honours --max-block (1 s here, not the default 5 s).
  expect(Number(/did not yield for ([\d.]+)s/.exec(ran.stderr)?.[1])).toBeLessThan(5);
  const result = JSON.parse(readFileSync(kept?.[1] as string, 'utf8'));
  expect(result.stopReason).toMatch(/stuck in Spinner\.spin/);
  expect(result.totals.requests).toBeGreaterThanOrEqual(served - 1);
}, 60_000);

describe.skipIf(!hasRedis)('a distributed agent', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('frozen by a task: named, ended, its share kept; the coordinator sees it lost', async () => {
    served = 0;
    const json = join(dir, 'coordinator.json');
    const share = join(dir, 'agent.json');
    const coordinator = run([
      'load',
      ...against(scenario),
      '-t',
      '10m',
      '-q',
      '--coordinator',
      redis.url,
      '--instances',
      '1',
      '--run',
      'stuck-1',
      '--json',
      json,
    ]);
    const agent = await run([
      'agent',
      redis.url,
      '--index',
      '0',
      '--run',
      'stuck-1',
      '--wait',
      '30s',
      '--max-block',
      '1s',
      '--json',
      share,
    ]);
    expect(agent.code, agent.stderr).toBe(130);
    expect(agent.stderr).toMatch(
      /Run stuck-1 aborted: task Spinner\.spin did not yield for [\d.]+s \(--max-block\): stuck in Spinner\.spin \(\S*sync-loop\.m?[jt]s:18:\d+\): this agent ends/,
    );
    expect(agent.stderr).toContain(
      `This agent's partial result (its share until it froze): ${share}`,
    );
    const kept = JSON.parse(readFileSync(share, 'utf8'));
    expect(kept.stopReason).toMatch(/stuck in Spinner\.spin/);
    expect(kept.totals.requests).toBeGreaterThanOrEqual(served - 1);
    expect(kept.totals.requests).toBeLessThanOrEqual(served);
    const ended = await coordinator;
    expect(ended.code, ended.stderr).toBe(3);
    expect(ended.stderr).toMatch(/agent\(s\) 0 .* lost/);
  }, 60_000);
});

it('a worker frozen while it loads the scenario is ended too, the run with it', async () => {
  const json = join(dir, 'loading.json');
  const ran = await run([
    'load',
    ...against('tests/fixtures/scenarios/buggy/loading-loop.ts'),
    '-w',
    '2',
    '-t',
    '10m',
    '--max-block',
    '1s',
    '--json',
    json,
  ]);
  expect(ran.code, ran.stderr).toBe(130);
  expect(ran.stderr).toMatch(
    /WARNING: the scenario's code did not yield for [\d.]+s \(--max-block\): stuck in \S+ \(tests\/fixtures\/scenarios\/buggy\/loading-loop\.ts:9:\d+\), in worker [12] of 2/,
  );
  expect(JSON.parse(readFileSync(json, 'utf8')).totals.requests).toBe(0);
}, 60_000);

it('a worker that ended long before the others is not taken for a frozen one', async () => {
  const ran = await run([
    'load',
    ...against('tests/fixtures/scenarios/uneven.ts'),
    '-w',
    '2',
    '-t',
    '1s',
    '--stop-timeout',
    '20s',
    '--max-block',
    '500ms',
  ]);
  expect(ran.code, ran.stderr).toBe(0);
  expect(ran.stderr).not.toMatch(/did not yield/);
}, 60_000);

it('a process suspended for longer than --max-block (Ctrl-Z, then fg) is not frozen', async () => {
  const child = spawnCli([
    'load',
    ...against('tests/fixtures/scenarios/root-only.ts'),
    '-t',
    '6s',
    '--max-block',
    '1s',
  ]);
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  await until(() => /Running /.test(stderr), 'the run to start');
  const before = served;
  await until(() => served >= before + 10, 'the run to send 10 requests');
  child.kill('SIGSTOP');
  // The suspension itself: three times --max-block.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  child.kill('SIGCONT');
  expect(await closed, stderr).toBe(0);
  expect(stderr).not.toMatch(/did not yield/);
}, 60_000);
