export type { TargetOutcome, TargetSummary, TargetVerdict, Window } from './evaluate.js';
export { evaluateTargets, summarizeOutcomes, targetsPassed } from './evaluate.js';
export type { Comparator, FigureKind, MetricRef, TargetExpression } from './expression.js';
export { formatFigure, parseTarget, TargetSyntaxError } from './expression.js';
export type { FailuresVerdict, RunFailures } from './failures-verdict.js';
export { failuresVerdict, runFailures } from './failures-verdict.js';
export type { ClientSlice, FigureSource, ProbeCount } from './figures.js';
export { clientFigure, resolveFigure, resultFigures } from './figures.js';
export { HealthProber, scrapeMetrics } from './probes.js';
export type { PromSample } from './prometheus.js';
export { declaredNames, increase, parsePrometheus, Scrape, ScrapeError } from './prometheus.js';
export type { Figure } from './service-figures.js';
export { ServiceFigures } from './service-figures.js';
export type { ServiceReport } from './service-report.js';
export type { LiveTargets, TargetSessionOptions } from './session.js';
export { TargetSession } from './session.js';
export type { Target } from './targets-file.js';
export {
  readTargetsFile,
  selectTargets,
  standardTargetsFile,
  TargetsError,
  targetFromFlag,
} from './targets-file.js';
export type { TargetedResult, TargetsReport } from './targets-report.js';
