import { AnalysisContext } from './context.js';
import { RULES, type Rule } from './rules/index.js';
import type { Finding, ReportInput, Severity } from './types.js';

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
