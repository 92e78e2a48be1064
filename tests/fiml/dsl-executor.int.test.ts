import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { SPEC_QUERIES } from '../helpers/dsl-queries.js';
import { call, startFiml } from '../helpers/fiml.js';

let fiml: RunningFiml;
beforeAll(async () => {
  fiml = await startFiml();
});
afterAll(() => fiml.close());

const run = (query: string) =>
  call(fiml.url, '/mcp/tools/execute_dsl', { method: 'POST', body: { query } });

async function closes(symbol: string, days: number): Promise<number[]> {
  const res = await call(fiml.url, '/mcp/tools/get_market_data', {
    query: { symbol, include_history: 'true', days: String(days) },
  });
  return res.body.history.map((b: { close: number }) => b.close);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('FK-DSL executor over HTTP', () => {
  it.each(SPEC_QUERIES)('executes %s', async (query, type) => {
    const res = await run(query);
    expect(res.status, res.text).toBe(200);
    expect(res.body.type).toBe(type);
  });

  it('computes the moving average from the provider history', async () => {
    const res = await run('GET MOVING AVERAGE FOR GOOGL PERIOD 50');
    expect(res.body.result.value).toBeCloseTo(mean(await closes('GOOGL', 50)), 3);
  });

  it('computes volatility from the last period returns', async () => {
    const prices = await closes('BTC', 15);
    const returns = prices.slice(1).map((p, i) => Math.log(p / prices[i]!));
    const m = mean(returns);
    const sd = Math.sqrt(returns.reduce((s, r) => s + (r - m) ** 2, 0) / (returns.length - 1));
    const res = await run('GET VOLATILITY FOR BTC PERIOD 14');
    expect(res.body.result.value).toBeCloseTo(sd * Math.sqrt(252), 3);
  });

  it('computes correlation of returns over the period', async () => {
    const [a, b] = [await closes('AAPL', 31), await closes('TSLA', 31)];
    const ra = a.slice(1).map((p, i) => Math.log(p / a[i]!));
    const rb = b.slice(1).map((p, i) => Math.log(p / b[i]!));
    const [ma, mb] = [mean(ra), mean(rb)];
    const cov = ra.reduce((s, x, i) => s + (x - ma) * (rb[i]! - mb), 0);
    const va = ra.reduce((s, x) => s + (x - ma) ** 2, 0);
    const vb = rb.reduce((s, x) => s + (x - mb) ** 2, 0);
    const res = await run('ANALYZE CORRELATION BETWEEN AAPL AND TSLA PERIOD 30');
    expect(res.body.result.correlation).toBeCloseTo(cov / Math.sqrt(va * vb), 3);
  });

  it('filters with conditions that agree with the prices', async () => {
    const price = (await call(fiml.url, '/mcp/tools/get_price', { query: { symbol: 'AAPL' } })).body
      .price;
    const find = await run(`FIND AAPL, MSFT WITH PRICE > ${price}`);
    expect(find.body.result.matches).not.toContain('AAPL');
    const track = await run(`TRACK AAPL WHEN PRICE >= ${price}`);
    expect(track.body.result.triggered).toBe(true);
  });

  it('scans an exchange and every match meets the condition', async () => {
    const res = await run('SCAN NASDAQ WHERE VOLUME > AVG_VOLUME(30d) * 1.2');
    expect(res.body.result.scanned).toBeGreaterThan(100);
    const first = res.body.result.matches[0];
    expect(first).toBeDefined();
    const data = await call(fiml.url, '/mcp/tools/get_market_data', {
      query: { symbol: first, include_history: 'true', days: '30' },
    });
    const volumes = data.body.history.map((b: { volume: number }) => b.volume);
    expect(volumes.at(-1)).toBeGreaterThan(mean(volumes) * 1.2 - 1);
  });

  it('analyses a portfolio exactly as the analyze_portfolio tool does', async () => {
    const dsl = await run('ANALYZE PORTFOLIO [AAPL:0.4, TSLA:0.3, MSFT:0.3]');
    const tool = await call(fiml.url, '/mcp/tools/analyze_portfolio', {
      method: 'POST',
      body: { symbols: ['AAPL', 'TSLA', 'MSFT'], weights: [0.4, 0.3, 0.3] },
    });
    expect(dsl.body.result).toEqual(tool.body);
  });

  it('answers queries that parse but cannot be answered with a 400 or 404', async () => {
    expect((await run('GET PRICE OF TEST1234')).status).toBe(404);
    expect((await run('SCAN MOON WHERE PRICE > 1')).status).toBe(400);
    expect((await run('FIND AAPL WITH TECHNICAL(RSI) > 1')).status).toBe(400);
    expect((await run('ANALYZE PORTFOLIO [AAPL:0.5, MSFT:0.6]')).status).toBe(400);
    expect((await run('GET PRICE OF AAPL IN EUR')).status).toBe(400);
  });
});
