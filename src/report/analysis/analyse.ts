import { AnalysisContext } from './context.js';
import { latencyDistribution } from './distribution.js';
import { nextSteps } from './next-steps.js';
import { rangeBounds, responseTimeRanges } from './ranges.js';
import { RULES, type Rule } from './rules/index.js';
import { executiveSummary } from './summary.js';
import type { Analysis, ExecutiveSummary, Finding, ReportInput, Severity } from './types.js';

const ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * Runs every bottleneck rule on a run: critical findings first, then warnings, then notes, each
 * severity in rule order.
 * @param rules the rules to run @default RULES
 */
export function findBottlenecks(
  input: ReportInput,
  rules: Readonly<Record<string, Rule>> = RULES,
): Finding[] {
  return runRules(new AnalysisContext(input), rules);
}

function runRules(context: AnalysisContext, rules: Readonly<Record<string, Rule>>): Finding[] {
  const findings = Object.values(rules).flatMap((rule) => rule(context));
  // Array.prototype.sort is stable: rule order holds within a severity.
  return findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}

/**
 * Everything a report says about a run in words, with the figures behind it: the executive
 * summary, the findings of the bottleneck rules, the next steps, Gatling-style response-time
 * ranges (split at the latency targets' thresholds) and the latency distribution for a chart.
 * Pure: reads its input, writes nothing.
 */
export function analyse(input: ReportInput): Analysis {
  const context = new AnalysisContext(input);
  const { result } = input;
  const findings = runRules(context, RULES);
  return {
    summary: executiveSummary(context),
    findings,
    nextSteps: nextSteps(context, findings),
    ranges: responseTimeRanges(
      result.histograms.total,
      result.totals.failures,
      rangeBounds(result),
    ),
    distribution: latencyDistribution(result.histograms.total),
  };
}

/** The executive summary alone. */
export function summarize(input: ReportInput): ExecutiveSummary {
  return executiveSummary(new AnalysisContext(input));
}
