import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cumulativeCounts, GENERATOR_BUCKETS } from '../../src/monitor/generator-metrics.js';
import { createHistogram } from '../../src/stats/index.js';
import { expectUserError, hasCommand, runCli, spawnCli, waitForOutput } from '../helpers/cli.js';
import { call, startFiml } from '../helpers/fiml.js';
import { closedPort, startHttpServer, type TestServer } from '../helpers/http-server.js';
import { UI_SCENARIO } from '../ui/helpers.js';

const hasPromtool = hasCommand('promtool');
const hasPushgateway = hasCommand('prometheus-pushgateway');

const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-metrics-'));

/** Debian's Pushgateway on a free loopback port, ready. */
async function startPushgateway(): Promise<{ base: string; stop: () => void }> {
  const port = await closedPort();
  const gateway = spawn(
    'prometheus-pushgateway',
    [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file='],
    { stdio: 'ignore' },
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${base}/-/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, stop: () => gateway.kill() };
}

/** The value of one series in an exposition, or undefined. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('latency buckets from an HDR histogram', () => {
  it('count exactly what is at most each bound', () => {
    const h = createHistogram();
    // Microseconds: 500 us, 1 ms, 1.5 ms, 7 ms, 400 ms, 2 s, 45 s, 90 s.
    const samples = [500, 1000, 1500, 7000, 400_000, 2_000_000, 45_000_000, 90_000_000];
    for (const s of samples) h.recordValue(s);
    const counts = cumulativeCounts(h, GENERATOR_BUCKETS);
    for (const [i, bound] of GENERATOR_BUCKETS.entries())
      expect(counts[i], `le=${bound}`).toBe(samples.filter((s) => s <= bound * 1e6).length);
    expect(cumulativeCounts(createHistogram(), [0.001, 1])).toEqual([0, 0]);
  });
});

describe('fiml-perf load --metrics-port and --prometheus-push', () => {
  let server: TestServer;
  let hits = 0;
  beforeAll(async () => {
    // /slow takes 30 ms; /fail answers 500.
    server = await startHttpServer((req, res) => {
      hits++;
      if (req.url === '/slow') setTimeout(() => res.end('slow'), 30);
      else if (req.url === '/fail') res.writeHead(500).end('no');
      else res.end('ok');
    });
  });
  afterAll(() => server.close());

  it('serves fiml_perf_* while the run lasts and the final values after it, promtool-clean, equal to the result', async () => {
    const json = join(dir, 'served.json');
    const child: ChildProcess = spawnCli([
      'load',
      `${server.url}/slow`,
      '-c',
      '4',
      '-d',
      '3s',
      '-q',
      '--json',
      json,
      '--metrics-port',
      '0',
      '--metrics-grace',
      '20s',
    ]);
    const final = waitForOutput(child, /Serving the final metrics/, 'stderr');
    const [, url = ''] = await waitForOutput(child, /Metrics: (http:\/\/\S+)/, 'stderr');
    // During the run (figures move once a second): its users.
    let during = '';
    for (let i = 0; i < 40 && value(during, 'fiml_perf_users') !== 4; i++) {
      await new Promise((r) => setTimeout(r, 100));
      during = await (await fetch(url)).text();
    }
    expect(value(during, 'fiml_perf_users')).toBe(4);
    expect(value(during, 'fiml_perf_run_finished')).toBe(0);
    // After it, in the grace period: the final values.
    await final;
    const after = await (await fetch(url)).text();
    const result = JSON.parse(readFileSync(json, 'utf8'));
    const labels = '{method="GET",endpoint="/slow"}';
    expect(value(after, 'fiml_perf_run_finished')).toBe(1);
    expect(value(after, `fiml_perf_requests_total${labels}`)).toBe(result.totals.requests);
    const n = result.totals.requests as number;
    expect(n).toBeGreaterThan(50);
    expect(value(after, `fiml_perf_request_duration_seconds_count${labels}`)).toBe(n);
    // Every request took 30 ms or more: none at or under 25 ms, all under 1 s.
    expect(
      value(
        after,
        'fiml_perf_request_duration_seconds_bucket{method="GET",endpoint="/slow",le="0.025"}',
      ),
    ).toBe(0);
    expect(
      value(
        after,
        'fiml_perf_request_duration_seconds_bucket{method="GET",endpoint="/slow",le="1"}',
      ),
    ).toBe(n);
    const mean = (value(after, `fiml_perf_request_duration_seconds_sum${labels}`) as number) / n;
    expect(Math.abs(mean * 1000 - result.totals.latencyMs.mean)).toBeLessThan(0.5);
    if (hasPromtool)
      execFileSync('promtool', ['check', 'metrics'], {
        input: after,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }, 60_000);

  it.skipIf(!hasPushgateway)(
    'pushes to a real Pushgateway: failures by kind, and the end of a short run is not lost',
    async () => {
      const gateway = await startPushgateway();
      try {
        const base = gateway.base;
        const json = join(dir, 'pushed.json');
        const run = await runCli([
          'load',
          `${server.url}/fail`,
          '-c',
          '2',
          // Shorter than a second: the run has no tick, and its figures come from its end.
          '-d',
          '600ms',
          '-q',
          '--json',
          json,
          '--prometheus-push',
          base,
        ]);
        // Every request failed: exit 1 (issue 26); the metrics are pushed all the same.
        expect(run.code, run.stderr).toBe(1);
        expect(run.stderr).toMatch(/Final metrics pushed to/);
        const text = await (await fetch(`${base}/metrics`)).text();
        const line = text
          .split('\n')
          .find((l) => l.startsWith('fiml_perf_failures_total{') && l.includes('kind="http"'));
        expect(line).toMatch(/job="fiml_perf"/);
        const result = JSON.parse(readFileSync(json, 'utf8'));
        expect(result.totals.failures).toBeGreaterThan(0);
        expect(Number(line?.split(' ').at(-1))).toBe(result.totals.failures);
      } finally {
        gateway.stop();
      }
    },
    60_000,
  );

  it('a taken port or a Pushgateway that does not answer: one line, exit 2', async () => {
    const taken = await startHttpServer((_req, res) => res.end());
    try {
      expectUserError(
        await runCli(['load', `${server.url}/`, '-d', '1s', '--metrics-port', String(taken.port)]),
        /--metrics-port \d+ on 127\.0\.0\.1 is already in use/,
      );
    } finally {
      await taken.close();
    }
    expectUserError(
      await runCli([
        'load',
        `${server.url}/`,
        '-d',
        '1s',
        '--prometheus-push',
        `http://127.0.0.1:${await closedPort()}`,
      ]),
      /cannot push to http:\/\/127\.0\.0\.1:\d+ .*; start the Pushgateway or fix --prometheus-push/,
    );
    expect(hits).toBeGreaterThan(0);
  }, 30_000);
});

describe.skipIf(!hasPushgateway)('fiml-perf stress --prometheus-push', () => {
  it('a stress run pushes its figures too', async () => {
    const fiml = await startFiml();
    const gateway = await startPushgateway();
    try {
      const run = await runCli([
        'stress',
        'peak',
        '--host',
        fiml.url,
        '--normal',
        '10',
        '-t',
        '2s',
        '-q',
        '--prometheus-push',
        gateway.base,
      ]);
      expect([0, 1], run.stderr).toContain(run.code);
      const text = await (await fetch(`${gateway.base}/metrics`)).text();
      expect(text).toMatch(/^fiml_perf_run_info\{.*workload="stress peak".*\} 1$/m);
      const requests = text
        .split('\n')
        .filter((l) => l.startsWith('fiml_perf_requests_total{'))
        .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
      expect(requests).toBeGreaterThan(0);
    } finally {
      gateway.stop();
      await fiml.close();
    }
  }, 60_000);
});

describe('fiml-perf ui --metrics-port and --prometheus-push', () => {
  it("publishes each test of the UI's life: its counters start again, the final values stay after it", async () => {
    const fiml = await startFiml();
    const gateway = hasPushgateway ? await startPushgateway() : undefined;
    const json = join(dir, 'ui.json');
    const child = spawnCli([
      'ui',
      '-f',
      UI_SCENARIO,
      '--no-typecheck',
      '--host',
      fiml.url,
      '--web-port',
      '0',
      '-u',
      '2',
      '-t',
      '2s',
      '--json',
      json,
      '--autostart',
      '--metrics-port',
      '0',
      '--metrics-grace',
      '20s',
      ...(gateway ? ['--prometheus-push', gateway.base] : []),
    ]);
    try {
      const [, url = ''] = await waitForOutput(child, /Metrics: (http:\/\/\S+)/, 'stderr');
      const [, ui = ''] = await waitForOutput(child, /fiml-perf UI: (http:\/\/\S+)/, 'stderr');
      const total = (text: string) =>
        text
          .split('\n')
          .filter((l) => l.startsWith('fiml_perf_requests_total{'))
          .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
      const ended = async (n: number) => {
        await waitForOutput(child, new RegExp(`Test ${n} ended after`), 'stderr');
        return JSON.parse(readFileSync(json, 'utf8'));
      };
      // Test 1 (--autostart): when it has ended, the final values, equal to its result.
      const first = await ended(1);
      let text = await (await fetch(url)).text();
      expect(value(text, 'fiml_perf_run_finished')).toBe(1);
      expect(first.totals.requests).toBeGreaterThan(0);
      expect(total(text)).toBe(first.totals.requests);
      if (gateway) {
        // Pushed at the test's end, without waiting for the next 5 s.
        let pushed = '';
        for (let i = 0; i < 50 && total(pushed) !== first.totals.requests; i++) {
          await new Promise((r) => setTimeout(r, 100));
          pushed = await (await fetch(`${gateway.base}/metrics`)).text();
        }
        expect(total(pushed)).toBe(first.totals.requests);
      }
      // Test 2, started from the page's API: running, then its own totals (not added to test 1's).
      const started = await call(ui, '/api/start', {
        method: 'POST',
        body: { users: 1, runTime: '2s' },
      });
      expect(started.status, started.text).toBe(202);
      text = await (await fetch(url)).text();
      expect(value(text, 'fiml_perf_run_finished')).toBe(0);
      const second = await ended(2);
      text = await (await fetch(url)).text();
      expect(value(text, 'fiml_perf_run_finished')).toBe(1);
      expect(total(text)).toBe(second.totals.requests);
      if (hasPromtool)
        execFileSync('promtool', ['check', 'metrics'], {
          input: text,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
      // Quitting right after a test: its final values stay served for the grace period.
      const grace = waitForOutput(child, /Serving the final metrics at \S+ for (\d+)s/, 'stderr');
      child.kill('SIGINT');
      const [, seconds = '0'] = await grace;
      expect(Number(seconds)).toBeGreaterThan(15);
      expect(total(await (await fetch(url)).text())).toBe(second.totals.requests);
      child.kill('SIGINT');
      const code = await new Promise((r) => child.once('exit', r));
      expect(code).toBe(0);
    } finally {
      child.kill('SIGKILL');
      gateway?.stop();
      await fiml.close();
    }
  }, 90_000);
});
