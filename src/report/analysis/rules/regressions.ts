import type { AnalysisContext } from '../context.js';
import { evidence, ms, pct } from '../format.js';
import type { Finding } from '../types.js';

/** Regressions `fiml-perf compare` found against the baseline. */
export function regressions(context: AnalysisContext): Finding[] {
  const comparison = context.input.comparison;
  if (!comparison) return [];
  const found = comparison.comparisons.filter((c) => c.verdict === 'regression');
  if (found.length === 0) return [];
  // A load comparison's figures are latencies in ms, or error rates whose change is in points;
  // a benchmark's are its own unit, so only the ratio is shown.
  const load = comparison.kind === 'load';
  const isErrorRate = (id: string) => load && id.endsWith(' error rate');
  const change = (c: (typeof found)[number]) =>
    isErrorRate(c.id)
      ? `+${Number((c.ratio * 100).toFixed(2))} points (${pct(c.baseline)} to ${pct(c.current)})`
      : `+${pct(c.ratio - 1)}${load ? ` (${ms(c.baseline)} to ${ms(c.current)})` : ''}`;
  return [
    {
      id: 'regressions',
      severity: 'warning',
      title: `${found.length} regression${found.length === 1 ? '' : 's'} against the baseline`,
      detail: `Compared with the baseline (${comparison.baseline.path}), these figures are worse beyond their threshold with 95% confidence: ${found
        .slice(0, 5)
        .map((c) => `${c.id} ${change(c)}`)
        .join('; ')}${found.length > 5 ? '; ...' : ''}.`,
      evidence: found.map((c) =>
        isErrorRate(c.id)
          ? evidence.share(c.id, c.current)
          : load
            ? evidence.ms(c.id, c.current)
            : { name: c.id, value: c.ratio, unit: 'ratio', text: `+${pct(c.ratio - 1)}` },
      ),
      recommendation: [
        'Read the full comparison: `fiml-perf compare BASELINE CURRENT --markdown comparison.md`',
        'Bisect the commits between the two runs: `fiml-perf ab --base REF`',
      ],
      action: {
        text: `Find the change behind the regression of ${found[0]?.id}`,
        command: 'fiml-perf ab --base REF',
        doc: 'docs/regression.md',
      },
    },
  ];
}
