import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchResult, entry, processMedians, write } from '../helpers/bench-results.js';
import { hasChromium, launchBrowser, openWatched } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';

/**
 * Reports built from short real runs against the embedded FIML, opened in Debian's chromium:
 * nothing may fail on the page, nothing may leave it, every chart must be drawn.
 */
let dir: string;
let browser: Browser | undefined;
let first: string;
let second: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fiml-perf-report-'));
  // Two short runs of the main job: the second's report is compared with the first.
  for (const name of ['first', 'second']) {
    const run = await runCli([
      'run',
      '--out',
      join(dir, name),
      '-u',
      '10',
      '-r',
      '10',
      '-t',
      '3s',
      '-q',
    ]);
    expect([0, 1], run.stderr).toContain(run.code);
  }
  first = join(dir, 'first', 'latest', 'result.json');
  second = join(dir, 'second', 'latest', 'result.json');
  if (hasChromium) browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The little of the DOM the checks read (the project's types have no DOM library). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  } | null;
}
interface Row {
  cells: ArrayLike<{ dataset: Record<string, string | undefined> } | undefined>;
}

/** How many of a canvas's pixels are drawn (not transparent). */
function drawnPixels(page: Page, selector: string): Promise<number[]> {
  return page.$$eval(selector, (canvases) =>
    (canvases as unknown as Canvas[]).map((canvas) => {
      const context = canvas.getContext('2d');
      if (!context || canvas.width === 0) return 0;
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let drawn = 0;
      for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] as number) > 0) drawn++;
      return drawn;
    }),
  );
}

describe('the report of a run', () => {
  it('run leaves report.html beside result.json, small and self-contained', () => {
    const html = join(dir, 'first', 'latest', 'report.html');
    expect(existsSync(html)).toBe(true);
    expect(statSync(html).size).toBeLessThan(500 * 1024);
    const text = readFileSync(html, 'utf8');
    expect(text).toContain("connect-src 'none'");
    expect(text).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/cdn/i);
    const markdown = readFileSync(join(dir, 'first', 'latest', 'summary.md'), 'utf8');
    expect(markdown).toMatch(/## Executive summary/);
    expect(markdown).toMatch(/## Next steps/);
  });

  it.skipIf(!hasChromium)(
    'opens with no error and no request, every chart drawn, a sortable table and a drill-down',
    async () => {
      const url = pathToFileURL(join(dir, 'first', 'latest', 'report.html')).href;
      const { page, errors, requests } = await openWatched(browser as Browser, url);
      await page.waitForSelector('html[data-ready="true"]');
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await expect(page.locator('.banner').first().textContent()).resolves.toMatch(
        /PASS|FAIL|Invalid run/,
      );
      // The service's figures, cache layers and slow-query log, from FIML's metrics.
      const service = await page.locator('section[aria-labelledby="run0-service"]').textContent();
      expect(service).toMatch(/Cache lookups by layer/);
      expect(service).toMatch(/Slow queries/);
      // Three charts, each drawn.
      const drawn = await drawnPixels(page, '.chart canvas');
      expect(drawn.length).toBeGreaterThanOrEqual(3);
      for (const n of drawn) expect(n).toBeGreaterThan(500);

      // Sorting by requests, descending then ascending.
      const table = page.locator('#run0-endpoint-table');
      const requestsHeader = table.locator('thead th', { hasText: 'Requests' }).locator('button');
      const column = () =>
        table
          .locator('tbody tr')
          .evaluateAll((rows) =>
            rows.map((r) => Number((r as unknown as Row).cells[2]?.dataset.v)),
          );
      await requestsHeader.click();
      const ascending = await column();
      expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
      await requestsHeader.click();
      const descending = await column();
      expect(descending).toEqual([...ascending].sort((a, b) => b - a));

      // The filter keeps matching rows only.
      const all = await table.locator('tbody tr').count();
      await page.fill('input[data-filter="run0-endpoint-table"]', 'price');
      const visible = await table.locator('tbody tr:visible').allTextContents();
      expect(visible.length).toBeGreaterThan(0);
      expect(visible.length).toBeLessThan(all);
      for (const text of visible) expect(text).toMatch(/price/i);
      await page.fill('input[data-filter="run0-endpoint-table"]', '');
      expect(await table.locator('tbody tr:visible').count()).toBe(all);

      // A row drills down: the charts show that endpoint.
      const row = table.locator('tbody tr').first();
      const key = await row.getAttribute('data-endpoint');
      await row.click();
      await expect(page.locator('select[data-endpoint-select]').inputValue()).resolves.toBe(key);
      await expect(page.locator('[data-showing]').first().textContent()).resolves.toBe(key);
      // The ranges are that endpoint's too: they add up to its requests.
      const endpointRequests = Number(await row.locator('td').nth(2).getAttribute('data-v'));
      // Every row but the last ('of which failed', counted in the others too).
      const counts = await page.locator('[data-range-rows] tr td:nth-child(2)').allTextContents();
      const sum = counts.slice(0, -1).reduce((n, text) => n + Number(text.replaceAll(',', '')), 0);
      expect(sum).toBe(endpointRequests);
      const redrawn = await drawnPixels(page, '.chart canvas');
      expect(redrawn).toHaveLength(3);
      for (const n of redrawn) expect(n).toBeGreaterThan(100);
      // The endpoint's own series (result schema 2), not the run's.
      expect(await page.locator('text=no per-endpoint series').count()).toBe(0);
      expect(errors).toEqual([]);
    },
    60_000,
  );
});

describe('fiml-perf report', () => {
  it.skipIf(!hasChromium)(
    'rebuilds a report with a baseline: its verdicts, and the baseline drawn',
    async () => {
      const out = join(dir, 'compared.html');
      const md = join(dir, 'compared.md');
      const run = await runCli([
        'report',
        second,
        '--baseline',
        first,
        '-o',
        out,
        '--markdown',
        md,
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(readFileSync(md, 'utf8')).toMatch(/## Against the baseline/);
      const { page, errors, requests } = await openWatched(
        browser as Browser,
        pathToFileURL(out).href,
      );
      await page.waitForSelector('html[data-ready="true"]');
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      const verdicts = await page.locator('#run0-comparison tbody tr').count();
      expect(verdicts).toBeGreaterThan(3);
      await expect(page.locator('#run0-baseline').textContent()).resolves.toMatch(/baseline/i);
      const legend = await page.locator('.u-legend').allTextContents();
      expect(legend.join(' ')).toMatch(/baseline p99/);
    },
    60_000,
  );

  it.skipIf(!hasChromium)(
    'a stress run writes its report with its own section',
    async () => {
      const json = join(dir, 'spike', 'result.json');
      const run = await runCli([
        'stress',
        'spike',
        '--normal',
        '10',
        '--before',
        '2s',
        '--spike',
        '2s',
        '--after',
        '3s',
        '--max-recovery',
        '3s',
        '--json',
        json,
        '-q',
      ]);
      expect([0, 1], run.stderr).toContain(run.code);
      const html = join(dir, 'spike', 'report.html');
      const { page, errors, requests } = await openWatched(
        browser as Browser,
        pathToFileURL(html).href,
      );
      await page.waitForSelector('html[data-ready="true"]');
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await expect(page.locator('#run0-stress').textContent()).resolves.toMatch(/Stress: spike/);
      // The verdict is the stress kind's own; a run with no targets does not claim any were met.
      await expect(page.locator('.banner').first().textContent()).resolves.toMatch(
        /spike test's verdict is (pass|fail)|Invalid run/,
      );
      expect(await page.locator('body').textContent()).not.toMatch(/0 targets/);
      await expect(page.locator('#run0-stress + p').textContent()).resolves.toMatch(
        /Normal 10\/s for 2s, then 100\/s for 2s/,
      );
    },
    90_000,
  );

  it.skipIf(!hasChromium)(
    'benchmark results: a table with intervals, a plot per benchmark and the verdicts',
    async () => {
      const old = write(
        dir,
        'bench-old.json',
        benchResult([
          entry('cache > get', processMedians(1, 1000, 0.02)),
          entry('dsl > parse', processMedians(2, 50_000, 0.02)),
        ]),
      );
      const current = write(
        dir,
        'bench-new.json',
        benchResult([
          entry('cache > get', processMedians(3, 1500, 0.02)),
          entry('dsl > parse', processMedians(4, 50_000, 0.02)),
        ]),
      );
      const out = join(dir, 'bench.html');
      const run = await runCli(['report', current, '--baseline', old, '-o', out]);
      expect(run.code, run.stderr).toBe(0);
      const { page, errors, requests } = await openWatched(
        browser as Browser,
        pathToFileURL(out).href,
      );
      await page.waitForSelector('html[data-ready="true"]');
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      const rows = page.locator('#bench0-table tbody tr');
      expect(await rows.count()).toBe(2);
      await expect(rows.filter({ hasText: 'cache > get' }).textContent()).resolves.toMatch(
        /regression/,
      );
      expect(await page.locator('#bench0-table svg').count()).toBe(2);
    },
    30_000,
  );

  it.skipIf(!hasChromium)(
    "a schema 1 result still opens, and its drill-down keeps the run's time charts",
    async () => {
      const out = join(dir, 'v1.html');
      const fixture = fileURLToPath(new URL('../fixtures/results/load-v1.json', import.meta.url));
      const run = await runCli(['report', fixture, '-o', out]);
      expect(run.code, run.stderr).toBe(0);
      const { page, errors, requests } = await openWatched(
        browser as Browser,
        pathToFileURL(out).href,
      );
      await page.waitForSelector('html[data-ready="true"]');
      await expect(page.locator('text=no per-endpoint series').count()).resolves.toBe(1);
      await page.locator('#run0-endpoint-table tbody tr').first().click();
      const drawn = await drawnPixels(page, '.chart canvas');
      expect(drawn).toHaveLength(3);
      for (const n of drawn) expect(n).toBeGreaterThan(100);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    },
    30_000,
  );

  // A file that is not a result: tests/report/report-input.test.ts, in process.
});
