import type {
  BreakpointSection,
  EnduranceSection,
  FaultsSection,
  PeakSection,
  SpikeSection,
} from '../../stress/index.js';
import type { StressSection } from '../analysis/index.js';
import { esc } from './escape.js';

const ms = (v: number | null) =>
  v === null ? 'n/a' : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ms`;
const rate = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
const verdict = (v: string) =>
  `<span class="verdict-${v === 'pass' || v === 'stable' ? 'pass' : v === 'skipped' ? 'unknown' : 'fail'}">${esc(v)}</span>`;
const table = (caption: string, head: readonly string[], rows: readonly string[][]) =>
  `<table><caption>${esc(caption)}</caption><thead><tr>${head.map((h, i) => `<th scope="col"${i === 0 ? ' class="l"' : ''}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c, i) => `<td${i === 0 ? ' class="l"' : ''}>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;

function peak(s: PeakSection): string {
  return table(
    `Peak: ${s.rate}/s (normal ${s.normalRate}/s); passes with an error rate under ${rate(s.criteria.maxErrorRate)} and p95 under ${s.criteria.maxP95Ms} ms.`,
    ['Figure', 'Actual', 'Limit'],
    [
      ['error rate', esc(rate(s.errorRate)), esc(rate(s.criteria.maxErrorRate))],
      ['p95', esc(ms(s.p95Ms)), esc(ms(s.criteria.maxP95Ms))],
    ],
  );
}

function spike(s: SpikeSection): string {
  const recovery =
    s.recoveryS === null
      ? `never recovered (allowed ${s.maxRecoveryS}s)`
      : `recovered ${s.recoveryS}s after the spike (allowed ${s.maxRecoveryS}s)`;
  return `<p>Normal ${s.normalRate}/s for ${s.phases.beforeS}s, then ${s.spikeRate}/s for ${s.phases.spikeS}s, then normal for ${s.phases.afterS}s: the service ${esc(recovery)}. The latency chart above shows the spike from ${s.phases.beforeS}s to ${s.phases.beforeS + s.phases.spikeS}s.</p>${table(
    'Before the spike, at its worst, and the recovery time.',
    ['Phase', 'p95', 'Error rate', 'When'],
    [
      ['before', esc(ms(s.before.p95Ms)), esc(rate(s.before.errorRate)), `0-${s.phases.beforeS}s`],
      [
        'peak',
        esc(ms(s.peak.p95Ms)),
        `${esc(rate(s.peak.errorRate))} (${s.peak.failures} failures)`,
        s.peak.atS === null ? '' : `${s.peak.atS}s`,
      ],
      [
        'recovery',
        '',
        '',
        s.recoveryS === null ? '<strong>never</strong>' : `${s.recoveryS}s after the spike`,
      ],
    ],
  )}`;
}

function endurance(s: EnduranceSection): string {
  const trend = (name: string, t: EnduranceSection['p95Ms'], unit: string) =>
    t
      ? [
          esc(name),
          `${t.start.toFixed(2)} to ${t.end.toFixed(2)} ${esc(unit)}`,
          `${t.perHour >= 0 ? '+' : ''}${t.perHour.toFixed(3)} ${esc(unit)}/h`,
          `[${t.low.toFixed(3)}, ${t.high.toFixed(3)}]`,
          String(t.points),
        ]
      : [esc(name), 'n/a', '', '', '0'];
  return `<p>${s.rate}/s in ${s.windowS}s windows: ${verdict(s.verdict)}${s.reasons.length ? ` (${esc(s.reasons.join('; '))})` : ''}.</p>${table(
    'Trend lines fitted over the windows, with their 95% intervals: a drift is a slope whose interval excludes zero.',
    ['Figure', 'Start to end', 'Slope', '95% interval', 'Windows'],
    [
      trend('p95', s.p95Ms, 'ms'),
      trend('error rate', s.errorRate, ''),
      trend('RSS', s.rssMb, 'MB'),
    ],
  )}${table(
    'Each window.',
    ['Window', 'p95', 'Error rate', 'RSS'],
    s.windows.map((w) => [
      `${w.from}-${w.to}s`,
      esc(ms(w.p95Ms)),
      esc(rate(w.errorRate)),
      w.rssMb === null ? 'n/a' : `${w.rssMb} MB`,
    ]),
  )}`;
}

function breakpoint(s: BreakpointSection): string {
  return `<p>Highest sustainable rate: <strong>${s.sustainableRate === null ? 'none (the first step broke)' : `${s.sustainableRate}/s`}</strong>${s.brokeAt === null ? '; no step broke' : `; broke at ${s.brokeAt}/s by ${esc(s.brokeBy.map((b) => `${b.target} (${b.actual ?? 'n/a'})`).join(', '))}`}${s.generatorSaturated ? '; <strong>the generator saturated</strong>, so the limit may be fiml-perf' : ''}. Expected at least ${s.expectRate}/s.</p>${table(
    'Each step of the arrival rate and the targets it held.',
    ['Step rate', 'Achieved req/s', 'Held', 'Failed targets'],
    s.steps.map((step) => [
      `${step.rate}/s`,
      step.achievedRps.toFixed(1),
      step.held
        ? verdict('pass')
        : `${verdict('fail')}${step.rate === s.brokeAt ? ' (breaking step)' : ''}`,
      esc(step.failed.map((f) => `${f.target}: ${f.actual ?? 'n/a'}`).join('; ')),
    ]),
  )}`;
}

function faults(s: FaultsSection): string {
  return table(
    'Each fault, what was expected of the service, and the verdict.',
    ['Scenario', 'Fault', 'Verdict', 'Why', 'Checks'],
    s.scenarios.map((sc) => [
      esc(sc.name),
      esc(sc.fault),
      verdict(sc.verdict),
      esc(sc.reason ?? ''),
      sc.checks
        .map((c) => `${c.held ? '&#10003;' : '&#10007;'} ${esc(c.expect)}: ${esc(c.observed)}`)
        .join('<br>'),
    ]),
  );
}

/** The section a stress kind adds to the report. */
export function stressSection(stress: unknown, id: string): string {
  const s = stress as StressSection | undefined;
  if (!s || typeof s !== 'object' || !('kind' in s)) return '';
  const body =
    s.kind === 'peak'
      ? peak(s)
      : s.kind === 'spike'
        ? spike(s)
        : s.kind === 'endurance'
          ? endurance(s)
          : s.kind === 'breakpoint'
            ? breakpoint(s)
            : s.kind === 'faults'
              ? faults(s)
              : '';
  const v = 'verdict' in s ? (s as { verdict: string }).verdict : '';
  return `<section aria-labelledby="${id}-stress"><h2 id="${id}-stress">Stress: ${esc(s.kind)} ${v ? verdict(v) : ''}</h2>${body}</section>`;
}
