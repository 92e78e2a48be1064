import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, openWatched } from '../helpers/browser.js';
import { expectUserError, runCli } from '../helpers/cli.js';

/**
 * A stored result is data from anywhere: whatever its strings hold, the page shows them as text,
 * and a file the report cannot read is one line and exit 2, never a crash.
 */
const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/results/load-v1.json', import.meta.url)), 'utf8'),
) as Record<string, unknown> & { endpoints: Array<Record<string, unknown>>; errors: unknown[] };
const HOSTILE =
  "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>";

let dir: string;
let browser: Browser | undefined;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fiml-perf-report-safety-'));
  if (hasChromium) browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const write = (name: string, data: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(data));
  return path;
};

describe('report: hostile or broken results', () => {
  it.skipIf(!hasChromium)(
    'shows markup in names and messages as text; nothing of it runs',
    async () => {
      const endpoint = fixture.endpoints[0] as Record<string, unknown>;
      const key = `${endpoint.method} ${endpoint.name}`;
      const histograms = fixture.histograms as { endpoints: Record<string, string> };
      const hostile = {
        ...fixture,
        target: HOSTILE,
        endpoints: [{ ...endpoint, name: HOSTILE }, ...fixture.endpoints.slice(1)],
        histograms: {
          ...histograms,
          endpoints: {
            ...histograms.endpoints,
            [`${endpoint.method} ${HOSTILE}`]: histograms.endpoints[key],
          },
        },
        errors: [
          { kind: 'http', method: 'GET', name: HOSTILE, status: 500, message: HOSTILE, count: 3 },
        ],
      };
      const out = join(dir, 'hostile.html');
      const run = await runCli(['report', write('hostile.json', hostile), '-o', out]);
      expect(run.code, run.stderr).toBe(0);
      const { page, errors, requests } = await openWatched(
        browser as Browser,
        pathToFileURL(out).href,
      );
      await page.waitForSelector('html[data-ready="true"]');
      expect(await page.title()).not.toBe('pwned');
      expect(await page.locator('img').count()).toBe(0);
      await expect(page.locator('#run0-endpoint-table').textContent()).resolves.toContain(
        '<img src=x',
      );
      expect(requests).toEqual([]);
      expect(errors).toEqual([]);
    },
  );

  it.each([
    ['a result without generator', { ...fixture, generator: undefined }, /generator: /],
    [
      'a slow-query log with markup for a number',
      {
        ...fixture,
        service: {
          metricsUrl: 'x',
          unavailable: null,
          cacheHitRate: 1,
          taskCompletionRate: 1,
          providerUptime: 1,
          providers: {},
          residentMemoryMb: null,
          healthUrl: 'x',
          uptime: null,
          slowQueries: { thresholdMs: HOSTILE, total: 1, entries: [] },
        },
      },
      /service\.slowQueries\.thresholdMs/,
    ],
    [
      'a verdict of its own',
      {
        ...fixture,
        targets: {
          outcomes: [
            {
              name: 'x',
              expression: 'p99 < 1s',
              threshold: '< 1s',
              actual: null,
              value: null,
              verdict: HOSTILE,
              detail: '',
            },
          ],
          summary: { pass: 0, fail: 0, unknown: 1 },
          windowSeconds: null,
          abortedBy: null,
        },
      },
      /targets\.outcomes\.0\.verdict/,
    ],
  ])('%s: one line, exit 2', async (_name, data, pattern) => {
    expectUserError(
      await runCli(['report', write('broken.json', data), '-o', join(dir, 'b.html')]),
      pattern,
    );
  });
});
