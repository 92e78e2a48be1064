import { describe, expect, it } from 'vitest';
import { DslSyntaxError, parseQuery } from '../../fiml/dsl/index.js';
import { SPEC_QUERIES } from '../helpers/dsl-queries.js';

function syntaxError(query: string): DslSyntaxError {
  try {
    parseQuery(query);
  } catch (error) {
    if (error instanceof DslSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected a syntax error for: ${query}`);
}

describe('FK-DSL parser', () => {
  it.each(SPEC_QUERIES)('parses %s', (query, type) => {
    expect(parseQuery(query).type).toBe(type);
  });

  it.each(SPEC_QUERIES)('parses %s in lower case to the same tree', (query) => {
    expect(parseQuery(query.toLowerCase())).toEqual(parseQuery(query));
  });

  it('builds the tree a query means', () => {
    expect(parseQuery('GET PRICE OF AAPL, MSFT IN USD')).toEqual({
      type: 'get_price',
      symbols: ['AAPL', 'MSFT'],
      currency: 'USD',
    });
    expect(parseQuery('ANALYZE PORTFOLIO [AAPL:0.4, TSLA:60%]')).toEqual({
      type: 'portfolio',
      holdings: [
        { symbol: 'AAPL', weight: 0.4 },
        { symbol: 'TSLA', weight: 0.6 },
      ],
    });
    expect(parseQuery('GET MOVING AVERAGE FOR GOOGL PERIOD 50')).toEqual({
      type: 'indicator',
      indicator: 'sma',
      symbol: 'GOOGL',
      period: 50,
    });
    expect(parseQuery('COMPARE BTC vs ETH vs SOL ON: VOLUME(7d), LIQUIDITY')).toEqual({
      type: 'compare',
      symbols: ['BTC', 'ETH', 'SOL'],
      metrics: [
        { name: 'VOLUME', args: [7] },
        { name: 'LIQUIDITY', args: [] },
      ],
    });
  });

  it('gives * precedence over + and AND precedence over OR', () => {
    const q = parseQuery('SCAN ALL WHERE PRICE > 1 + 2 * 3 OR VOLUME > 5 AND RSI < 30');
    expect(q).toMatchObject({
      condition: {
        kind: 'or',
        left: {
          kind: 'compare',
          right: { kind: 'binary', op: '+', right: { kind: 'binary', op: '*' } },
        },
        right: { kind: 'and' },
      },
    });
  });

  it('reports the position, what was expected and what was found', () => {
    const e = syntaxError('GET PRICE AAPL');
    expect(e.position).toBe(10);
    expect(e.expected).toEqual(["'OF'", "'FOR'"]);
    expect(e.found).toBe("'AAPL'");
    expect(e.message).toBe("syntax error at position 10: expected 'OF' or 'FOR', found 'AAPL'");
  });

  it.each([
    ['', 0, 'end of query'],
    ['SELL AAPL', 0, "'SELL'"],
    ['COMPARE AAPL', 12, 'end of query'],
    ['CALCULATE RSI FOR ETH PERIOD 0', 29, 'number 0'],
    ['FIND AAPL WITH PRICE 100', 21, 'number 100'],
    ['EVALUATE TSLA: SHOESIZE', 15, "'SHOESIZE'"],
    ['ANALYZE PORTFOLIO [AAPL 0.4]', 24, 'number 0.4'],
    ['GET PRICE OF AAPL extra', 18, "'EXTRA'"],
    ['GET PRICE OF AAPL $', 18, "unexpected character '$'"],
    ['GET PRICE OF FOR', 13, "'FOR'"],
  ])('rejects %j at position %i (found %s)', (query, position, found) => {
    const e = syntaxError(query);
    expect(e.position).toBe(position);
    expect(e.found).toBe(found);
  });
});
