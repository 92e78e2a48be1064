/**
 * The HTML report's size and how fast it builds and opens, for a long run: a one-hour closed run
 * with 12 endpoints (20 requests a second each, latencies of 0.3 to 60 ms, a few failures),
 * recorded and ticked as a run does, then built into a report and opened in Debian's chromium
 * (time until the page's script has drawn every chart).
 *
 *   node --import tsx scripts/report-size.ts [endpoints] [seconds] [requests a second each]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { buildRunReport } from '../src/report/html/build.js';
import { buildResult, StatsRecorder } from '../src/stats/index.js';

const [endpoints = 12, seconds = 3600, perSecond = 20] = process.argv.slice(2).map(Number);
const recorder = new StatsRecorder(0);
const names = Array.from({ length: endpoints }, (_, i) => `/api/endpoint/${i}`);
let x = 1;
for (let second = 1; second <= seconds; second++) {
  for (const name of names)
    for (let k = 0; k < perSecond; k++) {
      x = (x * 48_271) % 2_147_483_647;
      const failure =
        x % 500 === 0 ? { kind: 'http' as const, status: 503, message: 'HTTP 503' } : undefined;
      recorder.record('GET', name, 300 + (x % 60_000), 1200, failure);
    }
  recorder.tick(second * 1000, 100);
}
const result = buildResult(recorder, {
  version: 'measure',
  model: 'closed',
  executor: 'constant-users',
  target: 'http://127.0.0.1:8000',
  endedAt: seconds * 1000,
  interrupted: false,
  generator: {
    workers: 1,
    cpuPercent: { mean: 40, max: 60 },
    eventLoopLagMs: { p50: 1, p99: 5, max: 9 },
    scheduleLagMs: null,
    dropped: 0,
    maxRssMb: 200,
    saturated: false,
    reasons: [],
  },
  templatedNames: true,
  config: { executor: { type: 'constant-users', users: 100 } },
});
const built = performance.now();
const { html } = buildRunReport(result, 'measure');
const buildMs = performance.now() - built;
const work = mkdtempSync(join(tmpdir(), 'fiml-perf-report-size-'));
const file = join(work, 'report.html');
writeFileSync(file, html);

const browser = await chromium.launch({
  executablePath: execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim(),
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const opens: number[] = [];
for (let i = 0; i < 5; i++) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const start = performance.now();
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('html[data-ready="true"]');
  opens.push(performance.now() - start);
  await page.close();
}
await browser.close();
rmSync(work, { recursive: true, force: true });
opens.sort((a, b) => a - b);
const mb = (n: number) => (n / 1024 / 1024).toFixed(2);
process.stdout.write(
  `${endpoints} endpoints, ${seconds} s, ${perSecond} req/s each: result JSON ${mb(JSON.stringify(result).length)} MB, report ${mb(html.length)} MB, built in ${buildMs.toFixed(0)} ms, opened in ${opens[2]?.toFixed(0)} ms (median of 5; all ${opens.map((o) => o.toFixed(0)).join(', ')})\n`,
);
