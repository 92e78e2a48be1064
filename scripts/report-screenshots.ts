/**
 * Screenshots of the HTML report for docs/report.md: runs the main job briefly (embedded FIML,
 * the standard scenario and targets), builds its report, and photographs each section in
 * Debian's chromium (apt-get install chromium; playwright-core drives it, nothing is downloaded).
 *
 *   node --import tsx scripts/report-screenshots.ts [--result reports/latest/result.json]
 *
 * Writes docs/images/report-*.png.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { result: { type: 'string' } } });
const work = mkdtempSync(join(tmpdir(), 'fiml-perf-shots-'));
const cli = (...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });

let result = values.result;
if (!result) {
  try {
    cli('run', '--out', work, '-u', '30', '-r', '10', '-t', '20s', '-q');
  } catch {
    // Exit 1 is a missed target: the report is still written.
  }
  result = join(work, 'latest', 'result.json');
}
const html = join(work, 'report.html');
cli('report', result, '-o', html);

const out = join(root, 'docs/images');
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim(),
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
await page.goto(pathToFileURL(html).href);
await page.waitForSelector('html[data-ready="true"]');
const shots: Array<[string, string]> = [
  ['report-top.png', 'article'],
  ['report-charts.png', '#run0-charts'],
  ['report-endpoints.png', '#run0-endpoints'],
  ['report-findings.png', '#run0-findings'],
];
for (const [name, selector] of shots) {
  await page
    .locator(selector)
    .first()
    .evaluate((el) => el.scrollIntoView());
  await page.screenshot({ path: join(out, name) });
  process.stderr.write(`docs/images/${name}\n`);
}
await browser.close();
rmSync(work, { recursive: true, force: true });
