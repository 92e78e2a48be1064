import { describe, expect, it } from 'vitest';
import { costliestNode, parsePlan } from '../../src/database/index.js';
import type { PlanNode } from '../../src/database/types.js';
import { fixture } from './plan-fixtures.js';

const types = (node: PlanNode): unknown => ({
  [node.nodeType]: node.children.map(types),
});

describe('parsePlan reads EXPLAIN (FORMAT JSON) into a tree', () => {
  it('keeps the nodes, the table, its schema and alias, the filter and the sort key', () => {
    const { plan } = fixture('seq-scan-sort-limit');
    expect(types(plan)).toEqual({ Limit: [{ Sort: [{ 'Seq Scan': [] }] }] });
    const sort = plan.children[0]!;
    expect(sort.sortKey).toEqual(['bars."time" DESC']);
    const scan = sort.children[0]!;
    expect(scan).toMatchObject({
      relation: 'bars',
      schema: 'public',
      alias: 'bars',
      filter: '(bars.asset_id = $1)',
      indexCond: null,
      totalCost: 993,
      planRows: 500,
    });
  });

  it("gives each node its own cost: its total less its children's, never below 0", () => {
    const { plan } = fixture('seq-scan-sort-limit');
    const [sort] = plan.children;
    const [scan] = sort!.children;
    expect(scan!.selfCost).toBe(993);
    expect(sort!.selfCost).toBeCloseTo(sort!.totalCost - 993, 6);
    // A Limit costs less than its input (it stops early): its own cost is 0.
    expect(plan.totalCost).toBeLessThan(sort!.totalCost);
    expect(plan.selfCost).toBe(0);
  });

  it('reads an index scan, a join with aliases, a parallel plan', () => {
    const update = fixture('update-by-id').plan;
    expect(types(update)).toEqual({ ModifyTable: [{ 'Index Scan': [] }] });
    expect(update.children[0]).toMatchObject({
      index: 'bars_pkey',
      indexCond: '(bars.id = $2)',
      relation: 'bars',
    });
    const join = fixture('join').plan;
    expect(types(join)).toEqual({
      'Hash Join': [{ 'Seq Scan': [] }, { Hash: [{ 'Seq Scan': [] }] }],
    });
    expect(join.children[0]).toMatchObject({ alias: 'b', filter: '(b.symbol = $1)' });
    const parallel = fixture('parallel').plan;
    expect(types(parallel)).toEqual({ 'Gather Merge': [{ Sort: [{ 'Seq Scan': [] }] }] });
  });

  it('is null for what is not a plan', () => {
    expect(parsePlan(null)).toBeNull();
    expect(parsePlan([])).toBeNull();
    expect(parsePlan({ Plan: 'x' })).toBeNull();
    expect(parsePlan([{ Plan: { 'Node Type': 'Result', 'Total Cost': 0.01 } }])).toMatchObject({
      nodeType: 'Result',
      children: [],
    });
  });
});

describe('costliestNode', () => {
  it('names the node that costs most by itself, with its share of all the nodes’ own costs', () => {
    const { plan } = fixture('seq-scan-sort-limit');
    const costliest = costliestNode(plan)!;
    const sort = plan.children[0]!;
    expect(costliest).toEqual({
      nodeType: 'Seq Scan',
      relation: 'public.bars',
      selfCost: 993,
      share: 993 / (993 + sort.selfCost),
    });
  });

  it('keeps the share within 0..1 when the root costs less than its input (a Limit)', () => {
    for (const name of ['seq-scan-sort-limit', 'join', 'parallel', 'aggregate', 'update-by-id']) {
      const costliest = costliestNode(fixture(name).plan)!;
      expect(costliest.share, name).toBeGreaterThan(0);
      expect(costliest.share, name).toBeLessThanOrEqual(1);
    }
  });

  it('is the index scan under an UPDATE (the ModifyTable costs nothing more)', () => {
    expect(costliestNode(fixture('update-by-id').plan)).toMatchObject({
      nodeType: 'Index Scan',
      relation: 'public.bars',
      share: 1,
    });
  });

  it('is null for a plan that costs nothing', () => {
    expect(
      costliestNode(parsePlan({ Plan: { 'Node Type': 'Result', 'Total Cost': 0 } })!),
    ).toBeNull();
  });
});
