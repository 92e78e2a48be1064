import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { call, startFiml } from '../helpers/fiml.js';

let fiml: RunningFiml;
beforeAll(async () => {
  fiml = await startFiml();
});
afterAll(() => fiml.close());

const tool = (name: string) => `/mcp/tools/${name}`;

describe('every tool accepts GET with a query, GET with a JSON body, and POST', () => {
  for (const [how, options] of [
    ['GET query', { query: { symbol: 'AAPL' } }],
    ['GET JSON body', { body: { symbol: 'AAPL' } }],
    ['POST JSON body', { method: 'POST', body: { symbol: 'AAPL' } }],
  ] as const) {
    it(`get_price by ${how}`, async () => {
      const res = await call(fiml.url, tool('get_price'), options);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ symbol: 'AAPL', asset_type: 'equity', currency: 'USD' });
      expect(res.body.price).toBeGreaterThan(0);
    });
  }
});

describe('get_price', () => {
  it('is case-insensitive and serves warmed popular symbols from L1', async () => {
    const res = await call(fiml.url, tool('get_price'), { query: { symbol: 'tsla' } });
    expect(res.body).toMatchObject({ symbol: 'TSLA', cached: true, cache_layer: 'l1' });
  });

  it('uses the provider asked for', async () => {
    const res = await call(fiml.url, tool('get_price'), {
      query: { symbol: 'MSFT', provider: 'fmp' },
    });
    expect(res.status).toBe(200);
    expect(res.body.provider).toBe('fmp');
  });

  it('serves crypto and FX', async () => {
    const btc = await call(fiml.url, tool('get_price'), {
      query: { symbol: 'BTC', provider: 'ccxt' },
    });
    expect(btc.body).toMatchObject({ symbol: 'BTC', asset_type: 'crypto', provider: 'ccxt' });
    const fx = await call(fiml.url, tool('get_price'), { query: { symbol: 'EURUSD' } });
    expect(fx.body).toMatchObject({ asset_type: 'fx', currency: 'USD' });
  });

  it('is a 404 with a JSON error for an unknown symbol', async () => {
    const res = await call(fiml.url, tool('get_price'), { query: { symbol: 'TEST1234' } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: 'not_found',
      message: 'unknown symbol TEST1234',
      symbol: 'TEST1234',
    });
  });

  it('is a 400 naming the field when symbol is missing or malformed', async () => {
    const missing = await call(fiml.url, tool('get_price'));
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ field: 'symbol', message: 'symbol: is required' });
    const malformed = await call(fiml.url, tool('get_price'), {
      method: 'POST',
      body: { symbol: 42 },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.field).toBe('symbol');
    const spaces = await call(fiml.url, tool('get_price'), { query: { symbol: 'A A' } });
    expect(spaces.status).toBe(400);
  });

  it('is a 400 for an unknown provider; one without data for the asset type is passed over', async () => {
    const unknown = await call(fiml.url, tool('get_price'), {
      query: { symbol: 'AAPL', provider: 'nasdaq' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('provider');
    const unsupported = await call(fiml.url, tool('get_price'), {
      query: { symbol: 'BTC', provider: 'fmp' },
    });
    expect(unsupported.status).toBe(200);
    expect(unsupported.body.provider).not.toBe('fmp');
  });

  it('is a 400 for a body that is not a JSON object or not JSON at all', async () => {
    const array = await call(fiml.url, tool('get_price'), { method: 'POST', body: '[1]' });
    expect(array).toMatchObject({ status: 400, body: { field: 'body' } });
    const broken = await call(fiml.url, tool('get_price'), { method: 'POST', body: '{"symbol":' });
    expect(broken.status).toBe(400);
    const brokenGet = await call(fiml.url, tool('get_price'), { body: '{"symbol":' });
    expect(brokenGet).toMatchObject({ status: 400, body: { field: 'body' } });
  });
});

describe('get_market_data', () => {
  it('returns the quote, window statistics and, when asked, that many days of history', async () => {
    const res = await call(fiml.url, tool('get_market_data'), {
      query: { symbol: 'NVDA', include_history: 'true', days: '10' },
    });
    expect(res.status).toBe(200);
    expect(res.body.history).toHaveLength(10);
    const closes = res.body.history.map((b: { close: number }) => b.close);
    expect(res.body.stats.last_close).toBe(closes.at(-1));
    expect(res.body.stats.high).toBe(
      Math.max(...res.body.history.map((b: { high: number }) => b.high)),
    );
    for (const bar of res.body.history) {
      expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
      expect(bar.low).toBeLessThanOrEqual(Math.min(bar.open, bar.close));
    }
  });

  it('leaves history out by default', async () => {
    const res = await call(fiml.url, tool('get_market_data'), {
      method: 'POST',
      body: { symbol: 'AMD' },
    });
    expect(res.status).toBe(200);
    expect(res.body.history).toBeUndefined();
    expect(res.body.days).toBe(30);
  });

  it('is a 400 for days out of range or a non-boolean include_history', async () => {
    const cases: Record<string, string>[] = [
      { days: '0' },
      { days: '366' },
      { days: 'ten' },
      { include_history: 'maybe' },
    ];
    for (const query of cases) {
      const res = await call(fiml.url, tool('get_market_data'), {
        query: { symbol: 'AMD', ...query },
      });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe(Object.keys(query)[0]);
    }
  });
});

describe('generate_narrative', () => {
  it('writes a narrative per style, longer for detailed than concise', async () => {
    const texts: Record<string, string> = {};
    for (const style of ['concise', 'detailed', 'technical', 'fundamental']) {
      const res = await call(fiml.url, tool('generate_narrative'), {
        method: 'POST',
        body: { symbol: 'AAPL', style, include_context: false },
      });
      expect(res.status).toBe(200);
      expect(res.body.style).toBe(style);
      expect(res.body.narrative).toContain('AAPL');
      texts[style] = res.body.narrative;
    }
    expect(texts.technical).toContain('RSI(14)');
    expect(texts.fundamental).toContain('P/E');
    expect(texts.detailed!.length).toBeGreaterThan(texts.concise!.length);
  });

  it('adds market context when include_context is true', async () => {
    const res = await call(fiml.url, tool('generate_narrative'), {
      query: { symbol: 'AAPL', include_context: 'true' },
    });
    expect(res.body.narrative).toContain('52-week range');
  });

  it('is a 400 for an unknown style', async () => {
    const res = await call(fiml.url, tool('generate_narrative'), {
      query: { symbol: 'AAPL', style: 'poetic' },
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('style');
  });
});

describe('analyze_sentiment and get_fundamentals', () => {
  it('scores seeded headlines, the same each call', async () => {
    const a = await call(fiml.url, tool('analyze_sentiment'), { query: { symbol: 'TSLA' } });
    const b = await call(fiml.url, tool('analyze_sentiment'), {
      method: 'POST',
      body: { symbol: 'TSLA' },
    });
    expect(a.status).toBe(200);
    expect(a.body.headlines).toHaveLength(10);
    expect(['bullish', 'bearish', 'neutral']).toContain(a.body.label);
    expect(b.body.score).toBe(a.body.score);
  });

  it('gives equity fundamentals consistent with the price', async () => {
    const res = await call(fiml.url, tool('get_fundamentals'), { query: { symbol: 'MSFT' } });
    expect(res.status).toBe(200);
    expect(res.body.eps).toBeCloseTo(res.body.price / res.body.pe_ratio, 1);
    expect(res.body.week52_low).toBeLessThanOrEqual(res.body.week52_high);
  });

  it('gives crypto a supply and no P/E, and refuses FX pairs with a 400', async () => {
    const eth = await call(fiml.url, tool('get_fundamentals'), { query: { symbol: 'ETH' } });
    expect(eth.body.pe_ratio).toBeNull();
    expect(eth.body.circulating_supply).toBeGreaterThan(0);
    const fx = await call(fiml.url, tool('get_fundamentals'), { query: { symbol: 'GBPUSD' } });
    expect(fx.status).toBe(400);
  });

  it('is a 404 for unknown symbols', async () => {
    const res = await call(fiml.url, tool('analyze_sentiment'), { query: { symbol: 'ZZZZZZ' } });
    expect(res.status).toBe(404);
  });
});

describe('analyze_portfolio', () => {
  it('analyses weights given as lists or as comma-separated query values', async () => {
    const post = await call(fiml.url, tool('analyze_portfolio'), {
      method: 'POST',
      body: { symbols: ['AAPL', 'TSLA', 'MSFT'], weights: [0.4, 0.3, 0.3] },
    });
    expect(post.status).toBe(200);
    expect(post.body.holdings.map((h: { symbol: string }) => h.symbol)).toEqual([
      'AAPL',
      'TSLA',
      'MSFT',
    ]);
    const contributions = post.body.holdings.reduce(
      (s: number, h: { risk_contribution: number }) => s + h.risk_contribution,
      0,
    );
    expect(contributions).toBeCloseTo(1, 3);
    expect(post.body.correlation_matrix.AAPL.AAPL).toBe(1);
    const get = await call(fiml.url, tool('analyze_portfolio'), {
      query: { symbols: 'AAPL,TSLA,MSFT', weights: '0.4,0.3,0.3' },
    });
    expect(get.body.annual_volatility).toBe(post.body.annual_volatility);
  });

  it('is a 400 naming weights when they do not sum to 1 or do not match the symbols', async () => {
    for (const body of [
      { symbols: ['AAPL', 'MSFT'], weights: [0.5, 0.6] },
      { symbols: ['AAPL', 'MSFT'], weights: [1] },
      { symbols: ['AAPL', 'MSFT'], weights: [1.5, -0.5] },
    ]) {
      const res = await call(fiml.url, tool('analyze_portfolio'), { method: 'POST', body });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('weights');
    }
  });

  it('is a 400 for duplicate symbols and a 404 for unknown ones', async () => {
    const dup = await call(fiml.url, tool('analyze_portfolio'), {
      method: 'POST',
      body: { symbols: ['AAPL', 'aapl'], weights: [0.5, 0.5] },
    });
    expect(dup).toMatchObject({ status: 400, body: { field: 'symbols' } });
    const unknown = await call(fiml.url, tool('analyze_portfolio'), {
      method: 'POST',
      body: { symbols: ['AAPL', 'TEST9'], weights: [0.5, 0.5] },
    });
    expect(unknown.status).toBe(404);
  });
});

describe('execute_dsl and validate_dsl', () => {
  it('executes a query and adds metadata when asked', async () => {
    const res = await call(fiml.url, tool('execute_dsl'), {
      method: 'POST',
      body: { query: 'GET PRICE OF AAPL, MSFT', include_metadata: true },
    });
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('get_price');
    expect(res.body.result.prices.map((p: { symbol: string }) => p.symbol)).toEqual([
      'AAPL',
      'MSFT',
    ]);
    expect(res.body.metadata.ast.type).toBe('get_price');
    expect(res.body.metadata.parse_ms).toBeGreaterThanOrEqual(0);
  });

  it('answers a syntax error with a 400 that gives the position and what was expected', async () => {
    const res = await call(fiml.url, tool('execute_dsl'), { query: { query: 'GET PRICE AAPL' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: 'dsl_syntax_error',
      field: 'query',
      position: 10,
      expected: ["'OF'", "'FOR'"],
    });
  });

  it('validates without executing: valid and invalid queries are both a 200', async () => {
    const ok = await call(fiml.url, tool('validate_dsl'), {
      query: { query: 'calculate rsi for eth period 14' },
    });
    expect(ok.body).toMatchObject({ valid: true, type: 'indicator' });
    const bad = await call(fiml.url, tool('validate_dsl'), { body: { query: 'COMPARE AAPL' } });
    expect(bad.status).toBe(200);
    expect(bad.body.valid).toBe(false);
    expect(bad.body.error.position).toBe(12);
  });

  it('is a 400 for a missing or empty query', async () => {
    expect((await call(fiml.url, tool('execute_dsl'))).body.field).toBe('query');
    expect((await call(fiml.url, tool('validate_dsl'), { query: { query: '  ' } })).status).toBe(
      400,
    );
  });
});
