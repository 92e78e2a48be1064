import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSection } from '../../src/database/index.js';
import { runWithDatabase } from '../fixtures/database/run.js';
import { HISTORY_DDL, WITH_STATEMENTS } from '../fixtures/database/with-statements.js';
import { STATEMENTS_NOTE, WITHOUT_STATEMENTS } from '../fixtures/database/without-statements.js';
import { hasChromium, launchBrowser, openWatched } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';

/**
 * The report's Database section (issue 27) in Debian's chromium: `fiml-perf report` on a result
 * carrying the hand-written database fixtures; a statement opens to its plan tree, the DDL is
 * there to copy, nothing fails on the page and nothing leaves it.
 */
let dir: string;
let browser: Browser | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fiml-perf-db-report-'));
  if (hasChromium) browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `fiml-perf report` of a result with this database section; the report's file URL. */
async function report(name: string, database: DatabaseSection): Promise<string> {
  const result = join(dir, `${name}.json`);
  writeFileSync(result, JSON.stringify(runWithDatabase(database)));
  const out = join(dir, `${name}.html`);
  const run = await runCli(['report', result, '-o', out]);
  expect(run.code, run.stderr).toBe(0);
  return pathToFileURL(out).href;
}

describe('the Database section in a browser', () => {
  it.skipIf(!hasChromium)(
    'a statement opens to its plan tree: Seq Scan on market_bars, the costliest node; the DDL shown',
    async () => {
      const url = await report('with-statements', WITH_STATEMENTS);
      const { page, errors, requests } = await openWatched(browser as Browser, url);
      await page.waitForSelector('html[data-ready="true"]');
      const section = page.locator('section[aria-labelledby="run0-database"]');
      await expect(section.isVisible()).resolves.toBe(true);
      await expect(page.locator('nav.toc a[href="#run0-database"]').count()).resolves.toBe(1);
      await expect(section.locator('h2').textContent()).resolves.toBe('Database');
      await expect(section.locator('p.sub').first().textContent()).resolves.toMatch(
        /FIML's own database: postgres:\/\/fiml:\*\*\*@127\.0\.0\.1:41523\/fiml, PostgreSQL 15\.10/,
      );

      // Plans start closed; the first statement's row opens its own.
      const row = section.locator('tr.db-statement').first();
      const detail = page.locator('#run0-db-s0');
      await expect(detail.isVisible()).resolves.toBe(false);
      await expect(section.locator('tr.db-detail:visible').count()).resolves.toBe(0);
      await row.click();
      await expect(detail.isVisible()).resolves.toBe(true);
      await expect(row.locator('button.expand').getAttribute('aria-expanded')).resolves.toBe(
        'true',
      );
      await expect(detail.locator('pre.sql').textContent()).resolves.toBe(
        WITH_STATEMENTS.statements[0]?.query,
      );
      // The tree: Limit > Sort > Seq Scan, nested, the scan the costliest with its filter.
      const nodes = detail.locator('.plan-tree .plan-node .node-type');
      await expect(nodes.allTextContents()).resolves.toEqual(['Limit', 'Sort', 'Seq Scan']);
      const scan = detail.locator('.plan-tree > li > ul > li > ul > li > .plan-node');
      await expect(scan.textContent()).resolves.toMatch(/^Seq Scan on market_bars costliest/);
      await expect(scan.getAttribute('class')).resolves.toBe('plan-node costliest');
      await expect(scan.textContent()).resolves.toContain(
        'Filter: ((asset_id = $1) AND (timeframe = $2))',
      );
      await expect(detail.textContent()).resolves.toContain('Sort Key: market_bars."time" DESC');
      await expect(scan.isVisible()).resolves.toBe(true);

      // The keyboard closes it again, from the row's button.
      await row.locator('button.expand').focus();
      await page.keyboard.press('Enter');
      await expect(detail.isVisible()).resolves.toBe(false);

      // The scans table marks market_bars; the suggestion shows its DDL with a copy button.
      await expect(section.locator('tr.hot').textContent()).resolves.toMatch(
        /^public\.market_bars sequential scans of a large table412159,888,9600388,080$/,
      );
      const ddl = section.locator('.suggestion pre.ddl');
      await expect(ddl.isVisible()).resolves.toBe(true);
      await expect(ddl.textContent()).resolves.toBe(HISTORY_DDL);
      await expect(section.locator('.suggestion button.copy').isVisible()).resolves.toBe(true);

      // The recommendation names the index too.
      const findings = await page.locator('.finding strong').allTextContents();
      expect(findings.some((f) => f.includes('Index missing on public.market_bars'))).toBe(true);

      // Nothing is wider than the page: no table or plan cut off at the right.
      await row.click();
      const overflow = await section.evaluate((el) => {
        const e = el as unknown as { scrollWidth: number; clientWidth: number };
        return e.scrollWidth - e.clientWidth;
      });
      expect(overflow).toBeLessThanOrEqual(0);
      await section.screenshot({ path: join(dir, 'database.png') });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    },
    60_000,
  );

  it.skipIf(!hasChromium)(
    'without pg_stat_statements: the note in place of the statements, the scans and cache shown',
    async () => {
      const url = await report('without-statements', WITHOUT_STATEMENTS);
      const { page, errors, requests } = await openWatched(browser as Browser, url);
      await page.waitForSelector('html[data-ready="true"]');
      const section = page.locator('section[aria-labelledby="run0-database"]');
      await expect(section.locator('.db-note').textContent()).resolves.toBe(
        `No statements: ${STATEMENTS_NOTE}`,
      );
      await expect(section.locator('table.db-statements').count()).resolves.toBe(0);
      await expect(section.locator('#run0-db-tables tbody tr').count()).resolves.toBe(3);
      await expect(section.locator('.tiles').textContent()).resolves.toContain(
        '96.15%buffer cache hit ratio',
      );
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    },
    60_000,
  );
});
