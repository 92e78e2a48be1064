import { readFileSync } from 'node:fs';
import { parsePlan } from '../../src/database/index.js';
import type { PlanNode } from '../../src/database/types.js';

/**
 * A plan captured from PostgreSQL 15 by scripts/capture-plan-fixtures.ts (EXPLAIN (FORMAT JSON,
 * VERBOSE) of a generic plan), raw and parsed.
 */
export function fixture(name: string): { raw: unknown; plan: PlanNode } {
  const raw: unknown = JSON.parse(
    readFileSync(new URL(`../fixtures/postgres/${name}.json`, import.meta.url), 'utf8'),
  );
  const plan = parsePlan(raw);
  if (!plan) throw new Error(`${name}.json is not a plan`);
  return { raw, plan };
}
