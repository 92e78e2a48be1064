import { execFileSync } from 'node:child_process';
import { type Browser, chromium, type Page } from 'playwright-core';

function chromiumBinary(): string | null {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {}
  }
  return null;
}

/** Debian's chromium (never a browser download); tests that need it skip, visibly, without it. */
export const chromiumPath = chromiumBinary();
export const hasChromium = chromiumPath !== null;
if (!hasChromium)
  console.warn(
    'chromium not found: browser tests are SKIPPED. Install it: apt-get install chromium',
  );

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath as string,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A page with what went wrong on it: console errors, uncaught errors, requests that left it. */
export interface WatchedPage {
  readonly page: Page;
  readonly errors: string[];
  /** Every request other than the page itself: a self-contained page makes none. */
  readonly requests: string[];
}

/** Opens `url` (a file:// page, or one of our own servers), recording errors and requests. */
export async function openWatched(
  browser: Browser,
  url: string,
  options: { width?: number; allowOrigin?: string } = {},
): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width: options.width ?? 1200, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.route('**/*', (route) => {
    const target = route.request().url();
    const own = target === url || (options.allowOrigin && target.startsWith(options.allowOrigin));
    if (own) return route.continue();
    requests.push(target);
    return route.abort();
  });
  await page.goto(url);
  return { page, errors, requests };
}
