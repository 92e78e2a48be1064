import { lowCacheHitRate } from './cache.js';
import { databaseCache } from './database-cache.js';
import { databaseIndexes } from './database-indexes.js';
import { databaseStatements } from './database-statements.js';
import { drift } from './drift.js';
import { errorBursts } from './error-bursts.js';
import { failures } from './failures.js';
import { saturatedGenerator } from './generator.js';
import { namesOverflow } from './names.js';
import { openModelLimited } from './open-model.js';
import { phases } from './phases.js';
import { providerErrors } from './providers.js';
import { regressions } from './regressions.js';
import type { Rule } from './rule.js';
import { slowQueries } from './slow-queries.js';
import { stressVerdict } from './stress.js';
import { tailOwnership } from './tail-ownership.js';

/**
 * The bottleneck rules by name, in the order their findings are listed within a severity: the
 * generator first (it decides whether anything else can be trusted), then the service.
 */
export const RULES: Readonly<Record<string, Rule>> = {
  generator: saturatedGenerator,
  'open-model': openModelLimited,
  stress: stressVerdict,
  regressions,
  failures,
  'error-bursts': errorBursts,
  'tail-ownership': tailOwnership,
  cache: lowCacheHitRate,
  providers: providerErrors,
  'slow-queries': slowQueries,
  'database-indexes': databaseIndexes,
  'database-statements': databaseStatements,
  'database-cache': databaseCache,
  drift,
  phases,
  names: namesOverflow,
};

export type { Rule } from './rule.js';
export { slowQueriesFromFiml } from './slow-queries.js';
