/**
 * The picture of the HTML report's Database section for docs/database.md: builds the report of a
 * result with a database section (by default the hand-written fixture of a run on FIML's database
 * with the history index dropped, tests/fixtures/database), opens its first statement's plan and
 * photographs the section in Debian's chromium (playwright-core drives it, nothing is downloaded).
 *
 *   node --import tsx scripts/report-database-screenshot.ts [--result reports/latest/result.json]
 *
 * Writes docs/images/report-database.png.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { runWithDatabase } from '../tests/fixtures/database/run.js';
import { WITH_STATEMENTS } from '../tests/fixtures/database/with-statements.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { result: { type: 'string' } } });
const work = mkdtempSync(join(tmpdir(), 'fiml-perf-db-shot-'));
let result = values.result;
if (!result) {
  result = join(work, 'result.json');
  writeFileSync(result, JSON.stringify(runWithDatabase(WITH_STATEMENTS)));
}
const html = join(work, 'report.html');
execFileSync(
  process.execPath,
  ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'report', result, '-o', html],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
);

const out = join(root, 'docs/images');
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim(),
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
await page.goto(pathToFileURL(html).href);
await page.waitForSelector('html[data-ready="true"]');
const section = page.locator('section[aria-labelledby="run0-database"]');
await section.locator('tr.db-statement').first().click();
// A margin round the section, so the picture does not cut its edges; at the top of the page, the
// section's box is in the page's coordinates, which a full-page clip takes.
await page.evaluate('window.scrollTo(0, 0)');
const box = await section.boundingBox();
if (!box) throw new Error('the Database section is not on the page');
await page.screenshot({
  path: join(out, 'report-database.png'),
  fullPage: true,
  clip: { x: box.x - 12, y: box.y - 8, width: box.width + 24, height: box.height + 16 },
});
process.stderr.write('docs/images/report-database.png\n');
await browser.close();
rmSync(work, { recursive: true, force: true });
