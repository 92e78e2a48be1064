import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Fiml } from '../context.js';
import { DslSyntaxError, parseQuery } from '../dsl/index.js';
import { BadRequestError } from '../errors.js';
import { parseInput, readGetBody } from './input.js';
import {
  dslInput,
  marketDataInput,
  narrativeInput,
  portfolioInput,
  priceInput,
  symbolInput,
} from './schemas.js';

const string = { type: 'string' } as const;
const number = { type: 'number' } as const;

/** The hottest answer gets a compiled serializer (fast-json-stringify) instead of JSON.stringify. */
const PRICE_RESPONSE = {
  type: 'object',
  properties: {
    symbol: string,
    price: number,
    previous_close: number,
    change: number,
    change_percent: number,
    volume: number,
    currency: string,
    provider: string,
    timestamp: string,
    name: string,
    asset_type: string,
    cached: { type: 'boolean' },
    cache_layer: { type: ['string', 'null'] },
    failed_over: { type: 'array', items: string },
  },
} as const;

type Handler<S extends z.ZodType> = (input: z.output<S>) => Promise<unknown>;

/** The MCP tools, each on GET (query string or JSON body) and POST (JSON body). */
export function toolRoutes(app: FastifyInstance, fiml: Fiml): void {
  const { data, analysis, monitor } = fiml;

  function tool<S extends z.ZodType>(
    name: string,
    schema: S,
    handler: Handler<S>,
    detail: (i: z.output<S>) => string,
    response?: object,
  ) {
    app.route({
      method: ['GET', 'POST'],
      url: `/mcp/tools/${name}`,
      ...(response ? { schema: { response: { 200: response } } } : {}),
      preValidation: readGetBody,
      handler: async (request: FastifyRequest) => {
        const input = parseInput(request, schema);
        const started = performance.now();
        try {
          return await handler(input);
        } finally {
          monitor.observeOperation(name, (performance.now() - started) / 1000, () => detail(input));
        }
      },
    });
  }

  tool(
    'get_price',
    priceInput,
    async ({ symbol, provider }) => {
      const { quote, source, failedOver } = await data.quote(symbol, provider);
      const asset = data.asset(symbol);
      return {
        ...quote,
        name: asset.name,
        asset_type: asset.type,
        cached: source !== 'source',
        cache_layer: source === 'source' ? null : source,
        failed_over: failedOver,
      };
    },
    (i) => `symbol=${i.symbol}${i.provider ? ` provider=${i.provider}` : ''}`,
    PRICE_RESPONSE,
  );

  tool(
    'get_market_data',
    marketDataInput,
    async ({ symbol, include_history, days, intraday_hours }) => {
      const asset = data.asset(symbol);
      if (intraday_hours > 0 && !fiml.database) {
        throw new BadRequestError(
          'intraday_hours',
          "hourly bars are kept in FIML's database; start FIML with --database embedded or a postgres:// URL, or leave intraday_hours out",
        );
      }
      const [{ quote }, history, intraday] = await Promise.all([
        data.quote(symbol),
        data.history(symbol),
        intraday_hours > 0 ? data.intraday(symbol, intraday_hours) : undefined,
      ]);
      const window = history.slice(-days);
      const closes = window.map((b) => b.close);
      return {
        symbol: asset.symbol,
        name: asset.name,
        asset_type: asset.type,
        exchange: asset.exchange,
        currency: asset.currency,
        quote,
        days,
        stats: {
          high: Math.max(...window.map((b) => b.high)),
          low: Math.min(...window.map((b) => b.low)),
          first_close: closes[0],
          last_close: closes.at(-1),
          return: Math.round((closes.at(-1)! / closes[0]! - 1) * 10_000) / 10_000,
          avg_volume: Math.round(window.reduce((s, b) => s + b.volume, 0) / window.length),
        },
        ...(include_history ? { history: window } : {}),
        ...(intraday ? { intraday } : {}),
      };
    },
    (i) => `symbol=${i.symbol} days=${i.days} intraday_hours=${i.intraday_hours}`,
  );

  tool(
    'generate_narrative',
    narrativeInput,
    ({ symbol, style, include_context }) =>
      analysis
        .narrative(symbol, style, include_context)
        .then((n) => ({ ...n, generated_at: new Date().toISOString() })),
    (i) => `symbol=${i.symbol} style=${i.style}`,
  );

  tool(
    'analyze_sentiment',
    symbolInput,
    ({ symbol }) => analysis.sentiment(symbol),
    (i) => `symbol=${i.symbol}`,
  );

  tool(
    'get_fundamentals',
    symbolInput,
    ({ symbol }) => analysis.fundamentals(symbol),
    (i) => `symbol=${i.symbol}`,
  );

  tool(
    'analyze_portfolio',
    portfolioInput,
    ({ symbols, weights }) => analysis.portfolio(symbols, weights),
    (i) => `symbols=${i.symbols.join(',')}`,
  );

  tool(
    'execute_dsl',
    dslInput,
    async ({ query, include_metadata }) => {
      const parseStarted = performance.now();
      const ast = parseQuery(query);
      const executeStarted = performance.now();
      const result = await fiml.dsl.execute(ast);
      const done = performance.now();
      fiml.dslSeconds.labels(ast.type).observe((done - parseStarted) / 1000);
      return {
        query,
        type: ast.type,
        result,
        ...(include_metadata
          ? {
              metadata: {
                ast,
                parse_ms: Math.round((executeStarted - parseStarted) * 1000) / 1000,
                execute_ms: Math.round((done - executeStarted) * 1000) / 1000,
              },
            }
          : {}),
      };
    },
    (i) => `query=${i.query}`,
  );

  tool(
    'validate_dsl',
    dslInput.pick({ query: true }),
    async ({ query }) => {
      try {
        const ast = parseQuery(query);
        return { query, valid: true, type: ast.type, ast };
      } catch (error) {
        if (!(error instanceof DslSyntaxError)) throw error;
        return {
          query,
          valid: false,
          error: {
            message: error.message,
            position: error.position,
            expected: error.expected,
            found: error.found,
          },
        };
      }
    },
    (i) => `query=${i.query}`,
  );
}
