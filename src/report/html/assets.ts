import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What the report inlines: uPlot (MIT) and the page's own styles and scripts. */
export interface ReportAssets {
  readonly uplotJs: string;
  readonly uplotCss: string;
  readonly css: string;
  /** The chart module the report and the live UI share (charts.js). */
  readonly chartsJs: string;
  readonly js: string;
}

let cached: ReportAssets | undefined;

/**
 * Reads the assets once a process. The page's own files sit beside this module (src/ or dist/,
 * where the build copies them); uPlot comes from its package.
 */
export function loadAssets(): ReportAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const own = (name: string) =>
    readFileSync(fileURLToPath(new URL(`./assets/${name}`, import.meta.url)), 'utf8');
  // A script's text must not close its element; uPlot's build never writes '</script'.
  cached = {
    uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    css: own('report.css'),
    chartsJs: own('charts.js'),
    js: own('report.js'),
  };
  return cached;
}
