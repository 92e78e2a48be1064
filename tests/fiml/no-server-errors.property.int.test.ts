import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { call, startFiml } from '../helpers/fiml.js';

// Providers never fail here, so any 5xx can only come from what the client sent.
let fiml: RunningFiml;
beforeAll(async () => {
  const noErrors = { errorRate: 0 };
  fiml = await startFiml({
    providers: {
      yahoo: noErrors,
      fmp: noErrors,
      alpha_vantage: noErrors,
      ccxt: noErrors,
      coingecko: noErrors,
    },
  });
});
afterAll(() => fiml.close());

const symbols = fc.oneof(
  fc.constantFrom('AAPL', 'MSFT', 'BTC', 'ETH', 'EURUSD', 'SOL'),
  fc.constantFrom(
    'AAPL',
    'btc',
    'EURUSD',
    'TEST1234',
    '',
    ' ',
    'A'.repeat(30),
    'ÅPL',
    '../etc',
    'NVDA\n',
  ),
  fc.string({ maxLength: 25 }),
);

/** Anything JSON can hold, and the odd numbers that trip arithmetic. */
const anything: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    Number.MAX_SAFE_INTEGER,
    -1,
    0,
    1e308,
    -1e308,
    0.5,
    '1e309',
    'NaN',
    'Infinity',
    '-0',
  ),
);

const DSL_WORDS = [
  'GET',
  'PRICE',
  'OF',
  'FOR',
  'IN',
  'USD',
  'COMPARE',
  'WITH',
  'VS',
  'BY',
  'ON',
  ':',
  'ANALYZE',
  'PORTFOLIO',
  '[',
  ']',
  'AAPL',
  'TSLA',
  'BTC',
  'EURUSD',
  'TEST1',
  'CORRELATION',
  'BETWEEN',
  'AND',
  'OR',
  'PERIOD',
  'CALCULATE',
  'RSI',
  'MACD',
  'SMA',
  'EMA',
  'VOLATILITY',
  'MOVING',
  'AVERAGE',
  'TECHNICAL',
  'INDICATORS',
  'FIND',
  'TRACK',
  'WHEN',
  'WHERE',
  'EVALUATE',
  'SCAN',
  'FX',
  'CRYPTO',
  'VOLUME',
  'AVG_VOLUME',
  'LIQUIDITY',
  'PE',
  'MARKET_CAP',
  'RETURN',
  'HIGH',
  'LOW',
  'SENTIMENT',
  'FUNDAMENTALS',
  'TECHNICALS',
  '(',
  ')',
  ',',
  '>',
  '<',
  '>=',
  '!=',
  '=',
  '*',
  '/',
  '+',
  '-',
  '0',
  '1',
  '14',
  '0.5',
  '30d',
  '400',
  '99999999',
  '%',
];
const dslQuery = fc.oneof(
  fc.array(fc.constantFrom(...DSL_WORDS), { minLength: 1, maxLength: 12 }).map((w) => w.join(' ')),
  fc.string({ maxLength: 60 }),
);

const field = (name: string, value: fc.Arbitrary<unknown>) =>
  fc.option(fc.tuple(fc.constant(name), value), { nil: undefined, freq: 5 });

function inputs(
  fields: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      ...Object.entries(fields).map(([name, value]) =>
        field(name, fc.oneof({ arbitrary: value, weight: 4 }, { arbitrary: anything, weight: 1 })),
      ),
      fc.dictionary(fc.string({ maxLength: 8 }), anything, { maxKeys: 2 }),
    )
    .map((parts) => {
      const extra = parts.pop() as Record<string, unknown>;
      const out: Record<string, unknown> = { ...extra };
      for (const part of parts as ([string, unknown] | undefined)[])
        if (part) out[part[0]] = part[1];
      return out;
    });
}

const TOOLS: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  get_price: inputs({
    symbol: symbols,
    provider: fc.constantFrom('yahoo', 'fmp', 'ccxt', 'nope', ''),
  }),
  get_market_data: inputs({
    symbol: symbols,
    include_history: fc.constantFrom(true, false, 'true', 'yes'),
    days: fc.oneof(fc.integer({ min: -5, max: 400 }), fc.constantFrom('30', '1.5', '')),
  }),
  generate_narrative: inputs({
    symbol: symbols,
    style: fc.constantFrom('concise', 'detailed', 'technical', 'fundamental', 'x'),
    include_context: fc.boolean(),
  }),
  analyze_sentiment: inputs({ symbol: symbols }),
  get_fundamentals: inputs({ symbol: symbols }),
  analyze_portfolio: inputs({
    symbols: fc.oneof(fc.array(symbols, { maxLength: 60 }), fc.constantFrom('AAPL,MSFT', 'AAPL')),
    weights: fc.oneof(
      fc.array(fc.double(), { maxLength: 6 }),
      fc.constantFrom('0.5,0.5', '1', 'a,b'),
    ),
  }),
  execute_dsl: inputs({ query: dslQuery, include_metadata: fc.boolean() }),
  validate_dsl: inputs({ query: dslQuery }),
};

/** Query strings carry only text: values are sent as JSON text unless already strings. */
function asQuery(input: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(input).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : (JSON.stringify(v) ?? ''),
    ]),
  );
}

describe('no client input causes a 5xx', () => {
  for (const [tool, input] of Object.entries(TOOLS)) {
    it(`/mcp/tools/${tool}`, async () => {
      await fc.assert(
        fc.asyncProperty(
          input,
          fc.constantFrom('query', 'get-body', 'post-body'),
          async (value, how) => {
            const res = await call(fiml.url, `/mcp/tools/${tool}`, {
              method: how === 'post-body' ? 'POST' : 'GET',
              ...(how === 'query' ? { query: asQuery(value) } : { body: value }),
            });
            expect(res.status, `${how} ${JSON.stringify(value)} -> ${res.text}`).toBeLessThan(500);
            expect(typeof res.body, res.text).toBe('object');
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('raw bodies of any kind and content type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(TOOLS)),
        fc.string({ maxLength: 40 }),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=utf-8',
        ),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        async (tool, body, type, method) => {
          const res = await call(fiml.url, `/mcp/tools/${tool}`, {
            method,
            body,
            headers: { 'content-type': type },
          });
          expect(
            res.status,
            `${method} ${type} ${JSON.stringify(body)} -> ${res.text}`,
          ).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('any path under the service', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom('/health/providers/', '/health/', '/api/metrics/', '/mcp/tools/', '/'),
          fc.constant(''),
        ),
        fc.string({ maxLength: 20 }),
        async (prefix, rest) => {
          const path = `${prefix}${encodeURIComponent(rest)}`;
          const res = await call(fiml.url, path.startsWith('/') ? path : `/${path}`);
          expect(res.status, `${path} -> ${res.text}`).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
  });
});
