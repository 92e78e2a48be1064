import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, openWatched, type WatchedPage } from '../helpers/browser.js';
import { spawnCli } from '../helpers/cli.js';
import { call } from '../helpers/fiml.js';
import { UI_SCENARIO } from './helpers.js';

let ui: ChildProcess;
let url: string;
let stderr = '';
let browser: Browser;

/** `fiml-perf ui` as a user starts it: the embedded FIML, the server on a free port. */
beforeAll(async () => {
  ui = spawnCli(['ui', '--web-port', '0', '-f', UI_SCENARIO, '--no-typecheck']);
  url = await new Promise<string>((resolve, reject) => {
    ui.stderr!.on('data', (d: Buffer) => {
      stderr += d;
      const match = /fiml-perf UI: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr);
      if (match) resolve(match[1] as string);
    });
    ui.once('exit', (code) => reject(new Error(`ui exited with ${code}: ${stderr}`)));
  });
  if (hasChromium) browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (ui && ui.exitCode === null) {
    const exited = new Promise((resolve) => ui.once('exit', resolve));
    ui.kill('SIGINT');
    await exited;
  }
});

const origin = () => url.replace(/\/$/, '');

async function open(): Promise<WatchedPage> {
  const watched = await openWatched(browser, url, { width: 1300, allowOrigin: origin() });
  await watched.page.waitForSelector('html[data-ready="true"]');
  return watched;
}

describe.skipIf(!hasChromium)('the live UI in chromium', () => {
  it('starts a test from the form, steers it, survives a reload, turns the targets red, stops, and downloads', async () => {
    const { page, errors, requests } = await open();
    await page.waitForSelector('html[data-state="ready"]');
    // The form offers the scenario's classes with their weights, the default one picked.
    const classes = await page.locator('#classes label').allTextContents();
    expect(classes.map((c) => c.trim())).toEqual(['PriceUser (1)', 'HealthUser (2)']);
    expect(await page.locator('#classes input[value=PriceUser]').isChecked()).toBe(true);

    // Bad input: the server's reason, in the page, and nothing starts.
    await page.fill('#i-users', '-3');
    await page.click('#b-start');
    await expect.poll(() => page.locator('#message').textContent()).toMatch(/^users: /);
    expect(await page.getAttribute('html', 'data-state')).toBe('ready');

    await page.fill('#i-users', '3');
    await page.fill('#i-spawn', '100');
    await page.check('#classes input[value=HealthUser]');
    await page.fill('#i-targets', 'p99 < 0.001ms\nerror_rate < 1%');
    await page.click('#b-start');
    await page.waitForSelector('html[data-state="running"]');
    await expect.poll(() => page.locator('#message').isHidden()).toBe(true);

    // Rows and charts appear.
    await page.waitForSelector('#stats-table tbody tr[data-endpoint="GET price"]');
    await page.waitForSelector('#stats-table tbody tr[data-endpoint="GET health"]');
    expect(await page.locator('#c-throughput canvas').count()).toBe(1);
    expect(await page.locator('#c-latency canvas').count()).toBe(1);
    await expect.poll(() => page.locator('#f-users').textContent(), { timeout: 10_000 }).toBe('3');

    // The targets panel turns red for a target that cannot hold.
    await page.waitForSelector('#targets.targets-fail', { timeout: 15_000 });
    expect(await page.locator('#targets tr[data-verdict="fail"] td').first().textContent()).toBe(
      'p99 < 0.001ms',
    );
    expect(await page.locator('#targets tr[data-verdict="pass"] td').first().textContent()).toBe(
      'error_rate < 1%',
    );

    // Steer: the users count follows, and the change is marked on the charts.
    await page.fill('#e-users', '7');
    await page.click('#b-apply');
    await expect.poll(() => page.locator('#f-users').textContent(), { timeout: 10_000 }).toBe('7');

    // A reload mid-run shows the whole history: as many seconds as the server holds.
    await page.waitForSelector('html[data-seconds]');
    await expect
      .poll(async () => Number(await page.getAttribute('html', 'data-seconds')), {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(4);
    await page.reload();
    await page.waitForSelector('html[data-state="running"]');
    const shown = Number(await page.getAttribute('html', 'data-seconds'));
    const history = await call(origin(), '/api/history');
    expect(Math.abs(shown - history.body.rows.length)).toBeLessThanOrEqual(1);
    expect(shown).toBeGreaterThanOrEqual(4);
    const marks = history.body.run.marks.map((m: { label: string }) => m.label);
    expect(marks).toEqual(['users → 7']);

    // The statistics table sorts and filters, and a row picks its endpoint's charts.
    await page.fill('#stats-filter', 'health');
    expect(await page.locator('#stats-table tbody tr:not([hidden])').count()).toBe(1);
    await page.fill('#stats-filter', '');
    await page.click('#stats-table tbody tr[data-endpoint="GET health"]');
    expect(await page.inputValue('#endpoint-select')).toBe('GET health');

    // Stop; the files download.
    await page.click('#b-stop');
    await page.waitForSelector('html[data-state="stopped"]', { timeout: 15_000 });
    expect(await page.locator('#state').textContent()).toBe('stopped: targets missed');
    const [resultDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.click('a[href="/api/download/result.json"]'),
    ]);
    const result = JSON.parse(readFileSync((await resultDownload.path()) as string, 'utf8'));
    expect(result.executor).toBe('steered');
    expect(result.targets.summary.fail).toBe(1);
    expect(result.endpoints.map((e: { name: string }) => e.name).sort()).toEqual([
      'health',
      'price',
    ]);
    const [reportDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.click('a[href="/api/download/report.html"]'),
    ]);
    expect(readFileSync((await reportDownload.path()) as string, 'utf8')).toMatch(
      /<title>[^<]*fiml-perf/i,
    );

    // A new test from the same page, with the last one's settings.
    await page.click('#b-new');
    expect(await page.inputValue('#i-users')).toBe('3');
    // The one error is the browser's note of the 400 the bad input above was meant to get.
    expect(errors).toEqual([
      'Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
    expect(requests.filter((r) => !r.startsWith(origin()))).toEqual([]);
  }, 90_000);

  it('a second tab opened mid-run shows the same run; an open tab does not keep the UI from quitting', async () => {
    const start = await call(origin(), '/api/start', {
      method: 'POST',
      body: { model: 'open', rate: 20, maxUsers: 20, runTime: '30s' },
    });
    expect(start.status).toBe(202);
    const first = await open();
    await expect
      .poll(async () => Number(await first.page.getAttribute('html', 'data-seconds')), {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(3);
    const second = await open();
    await second.page.waitForSelector('html[data-state="running"]');
    expect(Number(await second.page.getAttribute('html', 'data-seconds'))).toBeGreaterThanOrEqual(
      3,
    );
    // The open model's lines: scheduled and dropped iterations.
    const legend = await second.page.locator('#c-throughput .u-legend').textContent();
    expect(legend).toMatch(/scheduled iterations\/s/);
    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);

    // Ctrl-C with two tabs open: the test stops, its result is kept, the process ends.
    const exited = new Promise<number | null>((resolve) => ui.once('exit', resolve));
    ui.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGINT: stopping the test/);
    expect(stderr).toMatch(/Test 2 ended after/);
  }, 60_000);
});
