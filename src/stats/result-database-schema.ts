import { z } from 'zod';

/**
 * A result's `database` section (issue 27), as every reader checks it: the shape of
 * src/database/types.ts (`DatabaseSection`), written here with no import of it because results
 * are read below the capabilities. Each field the report reads is checked; others pass through.
 */
const finite = z.number().finite();
const count = finite.nonnegative();
// A share or a ratio: not refused a hair over 1 (a share of a rounded total), only when not a number.
const ratio = count;

interface PlanNodeInput {
  readonly children: readonly PlanNodeInput[];
}

/** A plan is a tree as deep as the query: checked node by node, children included. */
const planNode: z.ZodType<PlanNodeInput> = z.lazy(() =>
  z
    .object({
      nodeType: z.string(),
      relation: z.string().nullable(),
      index: z.string().nullable(),
      selfCost: finite,
      totalCost: finite,
      planRows: finite,
      filter: z.string().nullable(),
      indexCond: z.string().nullable(),
      sortKey: z.array(z.string()).nullable(),
      children: z.array(planNode),
    })
    .passthrough(),
);

const suggestion = z
  .object({
    table: z.string(),
    columns: z.array(z.string()),
    ddl: z.string(),
    reason: z.string(),
  })
  .passthrough();

const statement = z
  .object({
    query: z.string(),
    queryId: z.string(),
    calls: count,
    totalMs: finite,
    meanMs: finite,
    maxMs: finite,
    rows: count,
    sharedBlksHit: count,
    sharedBlksRead: count,
    hitRatio: ratio.nullable(),
    share: ratio,
    plan: planNode.nullable(),
    costliest: z
      .object({
        nodeType: z.string(),
        relation: z.string().nullable(),
        selfCost: finite,
        share: ratio,
      })
      .passthrough()
      .nullable(),
    planError: z.string().nullable(),
    suggestions: z.array(suggestion),
  })
  .passthrough();

const table = z
  .object({
    table: z.string(),
    seqScans: count,
    seqRowsRead: count,
    indexScans: count,
    indexRowsFetched: count,
    inserted: count,
    updated: count,
    deleted: count,
    liveRows: count,
  })
  .passthrough();

export const databaseSchema = z
  .object({
    source: z.enum(['fiml', 'service']),
    url: z.string(),
    serverVersion: z.string(),
    database: z.string(),
    windowS: count,
    statementsAvailable: z.boolean(),
    statementsNote: z.string().nullable(),
    statements: z.array(statement),
    statementCalls: count,
    statementTotalMs: finite,
    tables: z.array(table),
    cache: z
      .object({ blocksHit: count, blocksRead: count, hitRatio: ratio.nullable() })
      .passthrough(),
    commits: count,
    rollbacks: count,
    deadlocks: count,
    tempFiles: count,
    tempBytes: count,
    connections: z.record(z.string(), count),
    suggestions: z.array(suggestion),
    problems: z.array(z.string()),
  })
  .passthrough();
