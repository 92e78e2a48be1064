import type { AnalysisContext } from '../context.js';
import type { Finding } from '../types.js';

/** A bottleneck rule: the findings its evidence supports, none without it. */
export type Rule = (context: AnalysisContext) => Finding[];
