import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { call, startFiml } from '../helpers/fiml.js';
import { until } from '../helpers/until.js';

// FIML on its embedded PostgreSQL (issue 27): history and hourly bars read from the database,
// the persistent cache written to it, the missing-index fault, the query metrics. The data is
// the template every embedded start shares (made once per day in ~/.cache/fiml-perf).
let withDb: RunningFiml;
let without: RunningFiml;
let db: pg.Client;

beforeAll(async () => {
  [withDb, without] = await Promise.all([
    startFiml({ database: 'embedded', enableFaultInjection: true, cache: { warm: false } }),
    startFiml({ cache: { warm: false } }),
  ]);
  const embedded = withDb.app.fiml.database?.embedded;
  if (!embedded) throw new Error('FIML started without its embedded database');
  db = new pg.Client(embedded.url);
  await db.connect();
}, 90_000);
afterAll(async () => {
  await db?.end();
  await Promise.all([withDb?.close(), without?.close()]);
});

const marketData = (fiml: RunningFiml, query: Record<string, string>) =>
  call(fiml.url, '/mcp/tools/get_market_data', { query });

describe("FIML's embedded database", () => {
  it('serves the same daily history the providers quote, read from market_bars', async () => {
    // A named symbol and one of the 300 generated ones.
    for (const symbol of ['AAPL', withDb.app.fiml.universe.list()[40]!.symbol]) {
      const query = { symbol, include_history: 'true', days: '365' };
      const [a, b] = await Promise.all([marketData(withDb, query), marketData(without, query)]);
      expect(a.status).toBe(200);
      expect(a.body.history).toHaveLength(365);
      expect(a.body.history).toEqual(b.body.history);
      expect(a.body.stats).toEqual(b.body.stats);
    }
    const { rows } = await db.query(
      "SELECT calls FROM pg_stat_statements WHERE query LIKE 'SELECT to_char(time%FROM market_bars WHERE asset_id = $1 AND timeframe = $2%'",
    );
    expect(Number(rows[0]?.calls)).toBeGreaterThanOrEqual(2);
  });

  it('answers hourly bars that open and close each day as its daily bar does', async () => {
    const answer = await marketData(withDb, {
      symbol: 'MSFT',
      include_history: 'true',
      days: '2',
      intraday_hours: '48',
    });
    expect(answer.status).toBe(200);
    const hours = answer.body.intraday as { date: string; open: number; close: number }[];
    expect(hours).toHaveLength(48);
    for (let i = 1; i < hours.length; i++)
      expect(Date.parse(hours[i]!.date) - Date.parse(hours[i - 1]!.date)).toBe(3_600_000);
    const [yesterday, today] = answer.body.history as { open: number; close: number }[];
    expect(hours[0]!.open).toBe(yesterday!.open);
    expect(hours[23]!.close).toBe(yesterday!.close);
    expect(hours[47]!.close).toBe(today!.close);
  });

  it('refuses hourly bars without a database, saying how to get one', async () => {
    const answer = await marketData(without, { symbol: 'MSFT', intraday_hours: '5' });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/intraday_hours: .*--database embedded/);
  });

  it('keeps what the providers answered in its persistent cache', async () => {
    const symbol = withDb.app.fiml.universe.list()[77]!.symbol;
    const before = await db.query('SELECT 1 FROM cache_entries WHERE key = $1', [
      `price:${symbol}`,
    ]);
    expect(before.rowCount).toBe(0);
    expect((await call(withDb.url, `/mcp/tools/get_price?symbol=${symbol}`)).status).toBe(200);
    // Written through after the answer, not before it.
    let row: { value: { price: number }; ttl: number } | undefined;
    await until(async () => {
      const r = await db.query(
        'SELECT value, extract(epoch FROM expires_at - now()) AS ttl FROM cache_entries WHERE key = $1',
        [`price:${symbol}`],
      );
      row = r.rows[0];
      return row !== undefined;
    }, 'the price written to cache_entries');
    expect(row?.value.price).toBeGreaterThan(0);
    // The price's time to live: 60 s.
    expect(Number(row?.ttl)).toBeGreaterThan(50);
    expect(Number(row?.ttl)).toBeLessThanOrEqual(60);
    expect(withDb.app.fiml.cache.stats().db.misses).toBeGreaterThanOrEqual(1);
  });

  it('drops the history index on the missing-index fault and restores it when faults clear', async () => {
    const plan = async () =>
      (
        await db.query(
          "EXPLAIN SELECT * FROM market_bars WHERE asset_id = 5 AND timeframe = '1d' ORDER BY time DESC LIMIT 500",
        )
      ).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    expect(await plan()).toMatch(/Index Scan using market_bars_asset_timeframe_time_idx/);
    const set = await call(withDb.url, '/admin/faults', {
      method: 'POST',
      body: { history_index_missing: true },
    });
    expect(set.body.history_index_missing).toBe(true);
    expect(await plan()).toMatch(/Seq Scan on market_bars/);
    // The service still answers, only slower.
    expect((await marketData(withDb, { symbol: 'NVDA', intraday_hours: '3' })).status).toBe(200);
    const cleared = await call(withDb.url, '/admin/faults', { method: 'DELETE' });
    expect(cleared.body.history_index_missing).toBe(false);
    expect(await plan()).toMatch(/Index Scan using market_bars_asset_timeframe_time_idx/);
  });

  it("counts its queries in fiml_db_query_seconds, as the database's own statistics do", async () => {
    const count = async () => {
      const text = (await call(withDb.url, '/metrics')).text;
      const line = text
        .split('\n')
        .find((l) => l.startsWith('fiml_db_query_seconds_count{statement="history"}'));
      return Number(line?.split(' ')[1] ?? 0);
    };
    const statements = async () =>
      Number(
        (
          await db.query(
            "SELECT coalesce(sum(calls), 0) AS calls FROM pg_stat_statements WHERE query LIKE 'SELECT to_char(time%'",
          )
        ).rows[0].calls,
      );
    const [metricBefore, serverBefore] = [await count(), await statements()];
    // Five symbols no request has loaded yet: five history reads.
    const fresh = withDb.app.fiml.universe.list().slice(200, 205);
    for (const asset of fresh)
      expect(
        (await marketData(withDb, { symbol: asset.symbol, include_history: 'true' })).status,
      ).toBe(200);
    expect((await count()) - metricBefore).toBe(5);
    expect((await statements()) - serverBefore).toBe(5);
  });
});
