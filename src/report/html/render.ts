import { createHash } from 'node:crypto';
import { loadAssets } from './assets.js';
import { chartData } from './chart-data.js';
import { esc } from './escape.js';
import type { ReportRun } from './report-run.js';
import { runSection } from './run-section.js';

/** JSON inside a <script> element: nothing in it can close the element. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/**
 * The report as one HTML file: styles, uPlot, the page's script and the data inlined, and a
 * Content-Security-Policy that lets nothing leave the page.
 */
export function renderReport(
  runs: readonly ReportRun[],
  title?: string,
  /** Benchmark results, already rendered (bench.ts). */
  benches: readonly string[] = [],
): string {
  const assets = loadAssets();
  const data = { runs: runs.map(chartData) };
  // Only our three scripts may run: by their hashes, so no inline handler or injected script can.
  const scriptHashes = [assets.uplotJs, assets.chartsJs, assets.js]
    .map((text) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`)
    .join(' ');
  const heading =
    title ?? (runs[0] ? `fiml-perf report: ${runs[0].result.target}` : 'fiml-perf benchmarks');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${scriptHashes}; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'">
<title>${esc(heading)}</title>
<style>${assets.uplotCss}</style>
<style>${assets.css}</style>
</head>
<body>
${runs.map((run, i) => runSection(run, i, runs.length > 1)).join('\n')}
${benches.join('\n')}
<footer class="note"><p>Made by fiml-perf. Works offline; rebuild it with <code>fiml-perf report result.json</code>.</p></footer>
<script id="report-data" type="application/json">${scriptJson(data)}</script>
<script>${assets.uplotJs}</script>
<script>${assets.chartsJs}</script>
<script>${assets.js}</script>
</body>
</html>
`;
}
