import { describe, expect, it } from 'vitest';
import { parseFilter, parseSortKey } from '../../src/database/filter.js';

const read = (filter: string, alias: string | null = 'bars', relation: string | null = 'bars') =>
  parseFilter(filter, alias, relation)?.map((c) => `${c.printed}:${c.kind}`) ?? null;

describe('parseFilter reads the comparisons an index could serve', () => {
  it.each([
    ['(bars.asset_id = $1)', ['asset_id:equality']],
    ['(asset_id = $1)', ['asset_id:equality']],
    ['((bars.asset_id = $1) AND (bars.symbol = $2))', ['asset_id:equality', 'symbol:equality']],
    ['((a = $1) AND (b = $2) AND (c > $3))', ['a:equality', 'b:equality', 'c:range']],
    ["(bars.symbol = 'S1'::text)", ['symbol:equality']],
    ["(bars.symbol = 'it''s AND (x)'::text)", ['symbol:equality']],
    ['(bars."time" > $1)', ['"time":range']],
    ['(bars."time" >= \'2024-01-01 00:00:00+00\'::timestamp with time zone)', ['"time":range']],
    ['((bars.name)::text = $1)', ['name:equality']],
    ['(bars.id = ANY ($1))', ['id:equality']],
    ["(bars.id = ANY ('{1,2,3}'::integer[]))", ['id:equality']],
    ['($1 < bars.price)', ['price:range']],
    ['(bars.price <> $1)', ['price:other']],
    ['(bars.price = 42)', ['price:equality']],
    ['(bars.price = $1::double precision)', ['price:equality']],
    ['("Weird""Name" = $1)', ['"Weird""Name":equality']],
  ])('%s', (filter, expected) => {
    expect(read(filter)).toEqual(expected);
  });

  it('gives the unquoted name as the column', () => {
    expect(parseFilter('(bars."time" > $1)', 'bars', 'bars')?.[0]?.column).toBe('time');
    expect(parseFilter('("Weird""Name" = $1)', 'bars', 'bars')?.[0]?.column).toBe('Weird"Name');
  });

  it('takes a column qualified by the alias or the table, not by another table', () => {
    expect(read('(b.symbol = $1)', 'b', 'bars')).toEqual(['symbol:equality']);
    expect(read('(bars.symbol = $1)', 'b', 'bars')).toEqual(['symbol:equality']);
    expect(read('(a.symbol = $1)', 'b', 'bars')).toBeNull();
  });

  it.each([
    ['an OR', '((lower(bars.symbol) = $1) OR (bars.price > $2))'],
    ['an OR inside an AND', '((a = $1) AND ((b = $2) OR (c = $3)))'],
    ['a function of a column', '(lower(bars.symbol) = $1)'],
    ['a cast that changes the type', '((bars.id)::numeric = $1)'],
    ['two columns', '(bars.a = bars.b)'],
    ['a column of the outer side of a join', '(bars.asset_id = a.id)'],
    ['a boolean column alone', 'bars.active'],
    ['NOT', '(NOT bars.active)'],
    ['IS NULL', '(bars.deleted_at IS NULL)'],
    ['LIKE', "(bars.symbol ~~ 'S%'::text)"],
    ['a SubPlan', '(hashed SubPlan 1)'],
    ['two operators', '(a = $1 = b)'],
    ['unbalanced parentheses', '((a = $1)'],
    ['an unclosed quote', "(a = 'x)"],
    ['an expression as the value', '(bars.price = ($1 + 1))'],
  ])('is null for %s: %s', (_what, filter) => {
    expect(read(filter)).toBeNull();
  });
});

describe('parseSortKey', () => {
  it('keeps the direction and the quoting, drops the qualifier', () => {
    expect(parseSortKey('bars."time" DESC', 'bars', 'bars')).toEqual({
      column: 'time',
      printed: '"time" DESC',
    });
    expect(parseSortKey('big.v', 'big', 'big')).toEqual({ column: 'v', printed: 'v' });
    expect(parseSortKey('v DESC NULLS LAST', null, 'big')).toEqual({
      column: 'v',
      printed: 'v DESC NULLS LAST',
    });
  });

  it('is null for an expression or another table', () => {
    expect(parseSortKey('(lower(bars.symbol))', 'bars', 'bars')).toBeNull();
    expect(parseSortKey('a.name', 'b', 'bars')).toBeNull();
  });
});
