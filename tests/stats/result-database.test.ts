import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DatabaseSection, PlanNode } from '../../src/database/index.js';
import { loadResultProblem } from '../../src/stats/index.js';
import { HISTORY_PLAN, WITH_STATEMENTS } from '../fixtures/database/with-statements.js';
import { WITHOUT_STATEMENTS } from '../fixtures/database/without-statements.js';

/**
 * A result's optional `database` section (issue 27), as every reader checks it: a sound one
 * passes, of either version; a broken one is refused with the field named, down a plan's tree.
 */
const V1 = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/results/load-v1.json', import.meta.url)), 'utf8'),
) as Record<string, unknown>;

const problem = (database: unknown) =>
  loadResultProblem(JSON.parse(JSON.stringify({ ...V1, database })));

describe('a result with a database section', () => {
  it('is read with pg_stat_statements and without', () => {
    expect(problem(WITH_STATEMENTS)).toBeUndefined();
    expect(problem(WITHOUT_STATEMENTS)).toBeUndefined();
  });

  it("names a plan node's missing field however deep it is", () => {
    const [sort] = HISTORY_PLAN.children as [PlanNode];
    const { nodeType: _, ...scan } = sort.children[0] as PlanNode;
    const broken: DatabaseSection = {
      ...WITH_STATEMENTS,
      statements: [
        {
          ...(WITH_STATEMENTS.statements[0] as DatabaseSection['statements'][number]),
          plan: { ...HISTORY_PLAN, children: [{ ...sort, children: [scan as PlanNode] }] },
        },
      ],
    };
    expect(problem(broken)).toMatch(
      /^database\.statements\.0\.plan\.children\.0\.children\.0\.nodeType: /,
    );
  });

  it('refuses a negative count and an unknown source', () => {
    expect(
      problem({ ...WITHOUT_STATEMENTS, cache: { ...WITHOUT_STATEMENTS.cache, blocksRead: -1 } }),
    ).toMatch(/^database\.cache\.blocksRead: /);
    expect(problem({ ...WITHOUT_STATEMENTS, source: 'mysql' })).toMatch(/^database\.source: /);
  });
});
