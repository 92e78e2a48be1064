/**
 * Screenshots of the live UI for docs/ui.md: starts `fiml-perf ui` (embedded FIML), starts a test
 * from the form as a person would, raises the users while it runs, and photographs the page in
 * Debian's chromium (apt-get install chromium; playwright-core drives it, nothing is downloaded).
 *
 *   node --import tsx scripts/ui-screenshots.ts
 *
 * Writes docs/images/ui-form.png, ui-running.png and ui-panels.png.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'docs/images');
mkdirSync(out, { recursive: true });
const ui = spawn(
  process.execPath,
  ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'ui', '--web-port', '0'],
  { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
);
let stderr = '';
const url = await new Promise<string>((resolve, reject) => {
  ui.stderr.on('data', (d: Buffer) => {
    stderr += d;
    const match = /fiml-perf UI: (http:\/\/\S+)/.exec(stderr);
    if (match) resolve(match[1] as string);
  });
  ui.once('exit', (code) => reject(new Error(`fiml-perf ui exited with ${code}: ${stderr}`)));
});
const browser = await chromium.launch({
  executablePath: execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim(),
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(url);
  await page.waitForSelector('html[data-state="ready"]');
  await page.check('#classes input[value=HighLoadUser]');
  await page.uncheck('#classes input[value=FIMLUser]');
  await page.fill('#i-users', '40');
  await page.fill('#i-spawn', '10');
  await page.fill('#i-run-time', '2m');
  await page.fill('#i-targets-file', 'targets/standard.yaml');
  await page.fill('#i-targets', 'p99 < 25ms');
  await page.screenshot({ path: join(out, 'ui-form.png') });
  await page.click('#b-start');
  await page.waitForSelector('html[data-state="running"]');
  await page.waitForTimeout(12_000);
  await page.fill('#e-users', '120');
  await page.fill('#e-spawn', '20');
  await page.click('#b-apply');
  await page.waitForTimeout(14_000);
  await page.screenshot({ path: join(out, 'ui-running.png') });
  // Below the sticky bar: the statistics, then the targets.
  await page.locator('#stats-title').evaluate((el) => el.scrollIntoView());
  await page.mouse.wheel(0, -80);
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(out, 'ui-panels.png'), fullPage: false });
  for (const name of ['ui-form.png', 'ui-running.png', 'ui-panels.png'])
    process.stderr.write(`docs/images/${name}\n`);
} finally {
  await browser.close();
  ui.kill('SIGINT');
}
