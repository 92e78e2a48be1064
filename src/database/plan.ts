import type { CostliestNode, PlanNode } from './types.js';

/** One node of `EXPLAIN (FORMAT JSON)` as PostgreSQL writes it; only what is read here. */
interface RawNode {
  readonly 'Node Type'?: unknown;
  readonly 'Relation Name'?: unknown;
  readonly Schema?: unknown;
  readonly Alias?: unknown;
  readonly 'Index Name'?: unknown;
  readonly 'Total Cost'?: unknown;
  readonly 'Plan Rows'?: unknown;
  readonly Filter?: unknown;
  readonly 'Index Cond'?: unknown;
  readonly 'Recheck Cond'?: unknown;
  readonly 'Sort Key'?: unknown;
  readonly Plans?: unknown;
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;
const number = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : 0;

function node(raw: RawNode): PlanNode {
  const children = Array.isArray(raw.Plans)
    ? raw.Plans.filter(
        (child): child is RawNode => typeof child === 'object' && child !== null,
      ).map(node)
    : [];
  const totalCost = number(raw['Total Cost']);
  const childCost = children.reduce((sum, child) => sum + child.totalCost, 0);
  const sortKey = Array.isArray(raw['Sort Key'])
    ? raw['Sort Key'].filter((key): key is string => typeof key === 'string')
    : null;
  return {
    nodeType: text(raw['Node Type']) ?? 'Unknown',
    relation: text(raw['Relation Name']),
    schema: text(raw.Schema),
    alias: text(raw.Alias),
    index: text(raw['Index Name']),
    // A Limit costs less than its input (it stops early): its own cost is then 0, not negative.
    selfCost: Math.max(0, totalCost - childCost),
    totalCost,
    planRows: number(raw['Plan Rows']),
    filter: text(raw.Filter),
    // A bitmap scan's condition is the Recheck Cond of its heap node: shown as its index condition.
    indexCond: text(raw['Index Cond']) ?? text(raw['Recheck Cond']),
    sortKey: sortKey && sortKey.length > 0 ? sortKey : null,
    children,
  };
}

/**
 * The plan tree of `EXPLAIN (FORMAT JSON)`'s output (an array of one `{ Plan }`, or that object),
 * or null when it is not a plan.
 */
export function parsePlan(json: unknown): PlanNode | null {
  const document = Array.isArray(json) ? json[0] : json;
  if (typeof document !== 'object' || document === null) return null;
  const plan = (document as { Plan?: unknown }).Plan;
  if (typeof plan !== 'object' || plan === null) return null;
  return node(plan as RawNode);
}

/** Every node of the tree, parents before children. */
export function planNodes(root: PlanNode): PlanNode[] {
  const out: PlanNode[] = [];
  const visit = (current: PlanNode) => {
    out.push(current);
    for (const child of current.children) visit(child);
  };
  visit(root);
  return out;
}

/**
 * The node that costs most by itself, with its share of the sum of every node's own cost (not
 * of the root's total cost: a Limit's total is less than its input's, so that would exceed 1).
 * Null for a plan that costs nothing.
 */
export function costliestNode(root: PlanNode): CostliestNode | null {
  const nodes = planNodes(root);
  const sum = nodes.reduce((total, current) => total + current.selfCost, 0);
  if (sum <= 0) return null;
  let best = nodes[0]!;
  for (const current of nodes) if (current.selfCost > best.selfCost) best = current;
  return {
    nodeType: best.nodeType,
    relation: qualifiedName(best),
    selfCost: best.selfCost,
    share: best.selfCost / sum,
  };
}

/** `schema.table` of a scan node (schema known with `EXPLAIN (VERBOSE)`), or its bare name. */
export function qualifiedName(current: PlanNode): string | null {
  if (!current.relation) return null;
  return current.schema ? `${current.schema}.${current.relation}` : current.relation;
}
