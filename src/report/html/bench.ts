import type { BenchResult } from '../../bench/index.js';
import type { ComparisonReport } from '../../regress/index.js';
import { esc } from './escape.js';

/** Time per iteration, readable: ns, µs, ms or s. */
function duration(ns: number): string {
  if (!Number.isFinite(ns)) return '-';
  if (ns < 1_000) return `${ns.toFixed(1)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(2)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

const quantile = (sorted: readonly number[], p: number) => {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return (
    (sorted[lo] as number) + ((sorted[Math.ceil(h)] as number) - (sorted[lo] as number)) * (h - lo)
  );
};

/**
 * A box plot of one benchmark's samples as inline SVG (no script needed; prints): whiskers from
 * min to max, the box from p25 to p75, the median as a bar, every sample as a faint dot.
 */
function boxPlot(samples: readonly number[], low: number, high: number): string {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return '';
  const width = 260;
  const x = (v: number) =>
    high === low ? width / 2 : 4 + ((v - low) / (high - low)) * (width - 8);
  const [min, p25, med, p75, max] = [0, 0.25, 0.5, 0.75, 1].map((p) => quantile(sorted, p)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const dots = sorted
    .filter((_v, i) => sorted.length <= 200 || i % Math.ceil(sorted.length / 200) === 0)
    .map(
      (v) => `<circle cx="${x(v).toFixed(1)}" cy="6" r="1.5" fill="currentColor" opacity="0.3"/>`,
    )
    .join('');
  return `<svg width="${width}" height="30" viewBox="0 0 ${width} 30" role="img" aria-label="samples from ${esc(duration(min))} to ${esc(duration(max))}, median ${esc(duration(med))}">
${dots}<line x1="${x(min)}" x2="${x(max)}" y1="20" y2="20" stroke="currentColor"/>
<rect x="${x(p25)}" y="14" width="${Math.max(x(p75) - x(p25), 1)}" height="12" fill="#0072b2" opacity="0.35" stroke="#0072b2"/>
<line x1="${x(med)}" x2="${x(med)}" y1="12" y2="28" stroke="#0072b2" stroke-width="2"/></svg>`;
}

/** A benchmark result as a report section: intervals, distributions, and verdicts. */
export function benchSection(
  result: BenchResult,
  index: number,
  source: string,
  comparison?: ComparisonReport,
): string {
  const id = `bench${index}`;
  const verdicts = new Map((comparison?.comparisons ?? []).map((c) => [c.id, c]));
  const all = result.benchmarks.flatMap((b) => b.samples);
  const rows = result.benchmarks.map((b) => {
    const s = b.stats;
    // Each row's plot on its own scale: benchmarks differ by orders of magnitude.
    const plot = boxPlot(b.samples, Math.min(...b.samples), Math.max(...b.samples));
    const v = verdicts.get(b.id);
    const verdict = v
      ? `<td class="l"><span class="verdict-${v.verdict === 'regression' ? 'fail' : v.verdict === 'improvement' ? 'pass' : 'unknown'}">${esc(v.verdict)}</span> ${esc(`${((v.ratio - 1) * 100).toFixed(1)}% [${((v.low - 1) * 100).toFixed(1)}%, ${((v.high - 1) * 100).toFixed(1)}%]`)}</td>`
      : comparison
        ? '<td class="l empty">new</td>'
        : '';
    // A stored file is data from anywhere: its numbers are made numbers before they are written.
    const n = (x: unknown) => Number(x);
    const outliers = n(s.outliers?.low ?? 0) + n(s.outliers?.high ?? 0);
    return `<tr><td class="name">${esc(b.id)}</td><td data-v="${n(s.median)}">${esc(duration(n(s.median)))}</td><td data-v="${n(s.rme)}">±${n(s.rme).toFixed(2)}%</td><td data-v="${n(s.opsPerSec)}">${Math.round(n(s.opsPerSec)).toLocaleString('en-US')}</td><td data-v="${n(s.p99)}">${esc(duration(n(s.p99)))}</td><td data-v="${n(s.samples)}">${n(s.samples)}</td><td>${outliers}</td>${verdict}<td class="l">${plot}</td></tr>`;
  });
  const env = result.environment;
  return `<article aria-labelledby="${id}-title">
<h1 id="${id}-title">Benchmarks</h1>
<p class="sub">${esc(source)} · ${esc(result.createdAt)} · ${esc(env.cpu)} (${Number(env.cores)} cores), Node ${esc(env.node)}${env.gitCommit ? `, commit ${esc(env.gitCommit.slice(0, 10))}${env.gitDirty ? ' (dirty)' : ''}` : ''} · ${Number(result.config.processes)} processes × ${Number(result.config.timeMs)} ms · ${all.length} samples</p>
${comparison ? `<div class="banner ${comparison.summary.regression > 0 ? 'fail' : 'pass'}" role="status"><strong>${comparison.summary.regression > 0 ? '&#10007; Regressions' : '&#10003; No regression'}</strong><span>${comparison.summary.regression} regression(s), ${comparison.summary.improvement} improvement(s), ${comparison.summary.inconclusive} inconclusive against ${esc(comparison.baseline.path)}.</span></div>` : ''}
<table class="sortable" id="${id}-table"><caption>Time per iteration: median of the samples with the 95% margin of error of the mean; the plot shows every sample (box p25 to p75, bar the median).</caption>
<thead><tr><th scope="col" class="l" aria-sort="none"><button type="button">Benchmark</button></th><th scope="col" aria-sort="none"><button type="button">Median</button></th><th scope="col" aria-sort="none"><button type="button">± (95%)</button></th><th scope="col" aria-sort="none"><button type="button">ops/s</button></th><th scope="col" aria-sort="none"><button type="button">p99</button></th><th scope="col" aria-sort="none"><button type="button">Samples</button></th><th scope="col">Outliers</th>${comparison ? '<th scope="col" class="l">Against the baseline</th>' : ''}<th scope="col" class="l">Distribution</th></tr></thead>
<tbody>${rows.join('')}</tbody></table></article>`;
}
