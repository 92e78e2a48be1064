import type { AnalysisContext } from './context.js';
import { count, ms, pct, perSecond, seconds } from './format.js';
import { missedTargets } from './missed-targets.js';
import { remedy } from './remedy.js';
import type { ExecutiveSummary, StressSection, SummaryFigures } from './types.js';

function stressSentence(stress: StressSection): string {
  switch (stress.kind) {
    case 'peak':
      return `At the peak of ${perSecond(stress.rate)} (${stress.rate / stress.normalRate}x normal) the service ${stress.verdict === 'pass' ? 'held' : 'did not hold'}: error rate ${stress.errorRate === null ? 'unknown' : pct(stress.errorRate)} (limit ${pct(stress.criteria.maxErrorRate)}), p95 ${stress.p95Ms === null ? 'unknown' : ms(stress.p95Ms)} (limit ${ms(stress.criteria.maxP95Ms)}).`;
    case 'spike':
      return `The spike to ${perSecond(stress.spikeRate)} took p95 to ${stress.peak.p95Ms === null ? 'an unknown value' : ms(stress.peak.p95Ms)} with ${count(stress.peak.failures)} failures; ${stress.recoveryS === null ? 'it did not recover before the end' : `it recovered ${seconds(stress.recoveryS)} after the spike`} (limit ${seconds(stress.maxRecoveryS)}).`;
    case 'endurance':
      return stress.verdict === 'stable'
        ? `Over the endurance run at ${perSecond(stress.rate)} latency, errors and memory stayed stable.`
        : `Over the endurance run at ${perSecond(stress.rate)} the service was ${stress.verdict}: ${stress.reasons.join('; ')}.`;
    case 'breakpoint':
      return stress.sustainableRate === null
        ? `The first step already broke the targets${stress.brokeBy.length ? ` (${stress.brokeBy.map((b) => `${b.target}: ${b.actual ?? 'unknown'}`).join(', ')})` : ''}; expected ${perSecond(stress.expectRate)}.`
        : `The highest sustainable rate was ${perSecond(stress.sustainableRate)} (expected ${perSecond(stress.expectRate)})${stress.brokeAt === null ? ', every step held' : `; it broke at ${perSecond(stress.brokeAt)} by ${stress.brokeBy.map((b) => `${b.target} (${b.actual ?? 'unknown'})`).join(', ')}`}${stress.generatorSaturated ? ', a lower bound since the generator saturated' : ''}.`;
    case 'faults': {
      const failed = stress.scenarios.filter((s) => s.verdict === 'fail');
      const ran = stress.scenarios.filter((s) => s.verdict !== 'skipped');
      return `${ran.length - failed.length} of ${ran.length} fault scenarios passed${failed.length ? `; failed: ${failed.map((s) => s.name).join(', ')}` : ''}.`;
    }
  }
}

const stressVerdict = (stress: StressSection): string => stress.verdict;

/**
 * The executive summary: whether the run can be trusted (a saturated generator makes it invalid,
 * and that comes first), whether it ran to its end, the targets missed and by how much, then
 * throughput, latency, errors, the worst endpoint, the stress verdict and the baseline.
 */
export function executiveSummary(context: AnalysisContext): ExecutiveSummary {
  const { result } = context;
  const t = result.totals;
  const g = result.generator;
  const requestErrors = result.errors.filter((e) => e.kind !== 'exception');
  const main = requestErrors[0];
  const endpoints = context.endpoints;
  const slowest =
    endpoints.length >= 2
      ? [...endpoints].sort((a, b) => b.latencyMs.p99 - a.latencyMs.p99)[0]
      : undefined;
  const failing = [...endpoints].sort((a, b) => b.failures - a.failures)[0];
  const missed = result.targets ? missedTargets(context) : [];
  const comparison = context.input.comparison;
  const figures: SummaryFigures = {
    valid: !g.saturated,
    saturated: g.saturated,
    saturationReasons: g.reasons,
    interrupted: result.interrupted,
    abortedBy: result.targets?.abortedBy
      ? { target: result.targets.abortedBy.target, atSeconds: result.targets.abortedBy.atSeconds }
      : null,
    durationS: result.durationS,
    model: result.model,
    peakUsers: context.peakUsers,
    requests: t.requests,
    failures: t.failures,
    errorRate: t.requests === 0 ? 0 : t.failures / t.requests,
    rps: t.rps,
    latencyMs: {
      mean: t.latencyMs.mean,
      p50: t.latencyMs.p50,
      p95: t.latencyMs.p95,
      p99: t.latencyMs.p99,
      max: t.latencyMs.max,
    },
    mainError:
      main && t.failures > 0
        ? {
            kind: main.kind,
            status: main.status,
            request: `${main.method} ${main.name}`,
            count: main.count,
            share: main.count / t.failures,
            message: main.message,
          }
        : null,
    slowestEndpoint: slowest
      ? { endpoint: slowest.key, p99Ms: slowest.latencyMs.p99, requests: slowest.requests }
      : null,
    mostFailingEndpoint:
      failing && failing.failures > 0
        ? { endpoint: failing.key, failures: failing.failures, failureRate: failing.failureRate }
        : null,
    targets: result.targets ? { ...result.targets.summary, missed } : null,
    stress: result.stress
      ? { kind: result.stress.kind, verdict: stressVerdict(result.stress) }
      : null,
    comparison: comparison
      ? {
          regressions: comparison.summary.regression,
          improvements: comparison.summary.improvement,
        }
      : null,
  };

  const sentences: string[] = [];
  if (g.saturated)
    sentences.push(
      `This run is invalid: the load generator was saturated (${g.reasons.join('; ')}), so its figures measure fiml-perf rather than the service. ${remedy(g.reasons)}`,
    );
  if (figures.abortedBy)
    sentences.push(
      `The run was stopped at ${seconds(figures.abortedBy.atSeconds)} because the target '${figures.abortedBy.target}' failed (--abort-on-fail); its figures cover that part only.`,
    );
  else if (result.unknownAfterS !== undefined)
    sentences.push(
      `The run was seen for its first ${seconds(result.unknownAfterS)} only${result.distributed?.failure ? ` (${result.distributed.failure})` : ''}: what it did after is unknown, not zero, and its figures and rates cover those seconds.`,
    );
  else if (result.interrupted)
    sentences.push(
      `The run was stopped early, after ${seconds(result.durationS)}; its figures cover that part only.`,
    );
  const judged = figures.targets;
  // A stress kind judges by its own criteria; a result with no target has nothing to say here.
  if (judged && judged.pass + judged.fail + judged.unknown > 0) {
    const { pass, fail, unknown } = judged;
    const total = pass + fail + unknown;
    if (fail > 0)
      sentences.push(
        `${fail} of ${total} targets ${fail === 1 ? 'was' : 'were'} missed: ${missed.map((m) => m.sentence).join('; ')}.`,
      );
    else if (unknown === 0) sentences.push(`All ${total} targets were met.`);
    else sentences.push(`${pass} of ${total} targets were met.`);
    if (unknown > 0) {
      const names = (result.targets?.outcomes ?? [])
        .filter((o) => o.verdict === 'unknown')
        .map((o) => `${o.name} (${o.detail})`);
      sentences.push(
        `${unknown} target${unknown === 1 ? '' : 's'} could not be judged: ${names.join('; ')}.`,
      );
    }
  }
  const users = figures.peakUsers > 0 ? ` from up to ${count(figures.peakUsers)} users` : '';
  sentences.push(
    `It sent ${count(t.requests)} requests in ${result.unknownAfterS === undefined ? seconds(result.durationS) : `the ${seconds(result.unknownAfterS)} seen`}, ${perSecond(t.rps)}${users} (${result.model} model).`,
  );
  if (t.requests > 0)
    sentences.push(
      `Latency was ${ms(t.latencyMs.p50)} at the median, ${ms(t.latencyMs.p95)} at p95 and ${ms(t.latencyMs.p99)} at p99 (mean ${ms(t.latencyMs.mean)}, max ${ms(t.latencyMs.max)}).`,
    );
  if (t.failures === 0) sentences.push('No request failed.');
  else {
    const m = figures.mainError;
    const what = m
      ? `${m.status !== null ? `HTTP ${m.status}` : m.kind} on ${m.request} (${count(m.count)})`
      : '';
    sentences.push(
      `${count(t.failures)} request${t.failures === 1 ? '' : 's'} failed (${pct(figures.errorRate)})${m ? `, ${m.share >= 0.5 ? 'mostly' : 'most often'} ${what}` : ''}.`,
    );
  }
  const thrown = result.errors
    .filter((e) => e.kind === 'exception')
    .reduce((n, e) => n + e.count, 0);
  if (thrown > 0)
    sentences.push(`Scenario tasks threw ${count(thrown)} time${thrown === 1 ? '' : 's'}.`);
  if (slowest || (endpoints.length >= 2 && figures.mostFailingEndpoint)) {
    const parts: string[] = [];
    if (slowest)
      parts.push(`The slowest endpoint was ${slowest.key} (p99 ${ms(slowest.latencyMs.p99)})`);
    const f = figures.mostFailingEndpoint;
    if (f && endpoints.length >= 2)
      parts.push(
        `${parts.length ? 'the' : 'The'} most failures were on ${f.endpoint} (${count(f.failures)}, ${pct(f.failureRate)} of its requests)`,
      );
    sentences.push(`${parts.join('; ')}.`);
  }
  if (result.stress) sentences.push(stressSentence(result.stress));
  if (comparison) {
    const regressed = comparison.comparisons.filter((c) => c.verdict === 'regression');
    const improved = comparison.summary.improvement;
    sentences.push(
      regressed.length === 0
        ? `Against the baseline nothing regressed${improved ? `, and ${improved} figure${improved === 1 ? '' : 's'} improved` : ''}.`
        : `Against the baseline ${regressed.length} figure${regressed.length === 1 ? '' : 's'} regressed (${regressed
            .slice(0, 3)
            .map((c) => c.id)
            .join(
              ', ',
            )}${regressed.length > 3 ? ', ...' : ''})${improved ? ` and ${improved} improved` : ''}.`,
    );
  }
  return { sentences, figures };
}
