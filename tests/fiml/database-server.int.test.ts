/**
 * FIML on a real PostgreSQL server, as a user starts it (issue 27): `fiml-perf serve --database
 * postgres://...` against a private server. The schema is migrated and the market history seeded
 * once, the history answers equal FIML's without a database, the banner hides the password; a
 * second start finds the data and the persistent cache as the first left them; a wrong password is
 * one line, exit 2, the password nowhere. The tests run in order on one server.
 */
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { barsOf, MIGRATIONS } from '../../fiml/database/index.js';
import { AssetUniverse, type RunningFiml } from '../../fiml/index.js';
import {
  exited,
  expectUserError,
  runCli,
  spawnCli,
  stderrOf,
  waitForOutput,
} from '../helpers/cli.js';
import { call, startFiml } from '../helpers/fiml.js';
import {
  hasPostgres,
  PG_PASSWORD,
  type PrivatePostgres,
  startPostgres,
} from '../helpers/postgres.js';
import { until } from '../helpers/until.js';

const SEED = 42;

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly banner: string;
  readonly stderr: () => string;
  /** From spawn to the banner's last line. */
}

/** `fiml-perf serve` on the private server, once its banner says it is ready. */
async function serve(database: string): Promise<Served> {
  const child = spawnCli([
    'serve',
    '--port',
    '0',
    '--latency-scale',
    '0',
    '--seed',
    String(SEED),
    '--database',
    database,
  ]);
  const stderr = stderrOf(child);
  const [banner] = await waitForOutput(child, /[\s\S]*Press Ctrl-C to stop\./);
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
  if (!url) throw new Error(`no URL in the banner: ${banner}`);
  return { child, url, banner, stderr };
}

async function stop(served: Served): Promise<number | null> {
  const code = exited(served.child);
  served.child.kill('SIGTERM');
  return code;
}

describe.skipIf(!hasPostgres)('FIML on a PostgreSQL server (serve --database postgres://)', () => {
  let server: PrivatePostgres;
  let db: pg.Client;
  let without: RunningFiml;
  let first: Served | undefined;
  let second: Served | undefined;
  /** A symbol no warming touches, priced by the first FIML. */
  const symbol = new AssetUniverse().list()[123]!.symbol;

  beforeAll(async () => {
    [server, without] = await Promise.all([
      startPostgres(),
      startFiml({ seed: SEED, cache: { warm: false } }),
    ]);
    db = new pg.Client(server.admin);
    await db.connect();
  }, 30_000);

  afterAll(async () => {
    for (const served of [first, second]) if (served?.child.exitCode === null) await stop(served);
    await db?.end();
    await without?.close();
    await server?.stop();
  });

  const marketSeed = async () =>
    (
      await db.query<{ seed: string; end_date: string; bars: number; seeded_at: Date }>(
        "SELECT seed::text, to_char(end_date, 'YYYY-MM-DD') AS end_date, bars, seeded_at FROM market_seed",
      )
    ).rows;

  /** How many times the seeding's INSERT into market_bars ran on the server. */
  const barInserts = async () =>
    Number(
      (
        await db.query(
          "SELECT coalesce(sum(calls), 0) AS calls FROM pg_stat_statements WHERE query LIKE 'INSERT INTO market_bars%'",
        )
      ).rows[0].calls,
    );

  const cacheRow = async (key: string) =>
    (
      await db.query<{ value: { price: number }; expires_at: Date }>(
        'SELECT value, expires_at FROM cache_entries WHERE key = $1',
        [key],
      )
    ).rows[0];

  it('migrates, seeds every bar, answers the history FIML answers without a database, and hides the password', async () => {
    first = await serve(server.url);
    const redacted = server.url.replace(`:${PG_PASSWORD}@`, ':***@');
    expect(first.banner).toContain(`database     ${redacted}`);
    expect(first.banner).not.toContain(PG_PASSWORD);
    expect(first.stderr()).not.toContain(PG_PASSWORD);

    const migrations = await db.query<{ version: number }>(
      'SELECT version FROM fiml_migrations ORDER BY version',
    );
    expect(migrations.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrations.rows[0]?.version).toBe(1);

    // Every asset's bars as the seed generates them, to the day the database says it ends on.
    const [seeded] = await marketSeed();
    expect(seeded?.seed).toBe(String(SEED));
    const endDate = new Date(`${seeded!.end_date}T00:00:00Z`);
    const expected = { '1d': 0, '1h': 0 };
    for (const asset of new AssetUniverse().list())
      for (const bar of barsOf(asset, SEED, endDate)) expected[bar.timeframe]++;
    const counted = await db.query<{ timeframe: '1d' | '1h'; n: string }>(
      'SELECT timeframe, count(*) AS n FROM market_bars GROUP BY timeframe',
    );
    expect(Object.fromEntries(counted.rows.map((r) => [r.timeframe, Number(r.n)]))).toEqual(
      expected,
    );
    expect(seeded?.bars).toBe(expected['1d'] + expected['1h']);
    // Enough rows that a missing index matters (the issue asks for a few hundred thousand).
    expect(seeded?.bars).toBeGreaterThan(300_000);

    const historyReads = async () =>
      Number(
        (
          await db.query(
            "SELECT coalesce(sum(calls), 0) AS calls FROM pg_stat_statements WHERE query LIKE 'SELECT to_char(time%FROM market_bars%'",
          )
        ).rows[0].calls,
      );
    // AAPL (warmed at start: its history was read then) and a symbol nothing read yet.
    for (const symbol of ['AAPL', new AssetUniverse().list()[200]!.symbol]) {
      const query = { symbol, include_history: 'true', days: '30' };
      const readsBefore = await historyReads();
      const [fromDb, fromProviders] = await Promise.all([
        call(first.url, '/mcp/tools/get_market_data', { query }),
        call(without.url, '/mcp/tools/get_market_data', { query }),
      ]);
      expect(fromDb.status).toBe(200);
      expect(fromDb.body.history).toHaveLength(30);
      // The quote is live (its time differs); the rest is the same data.
      const { quote: _a, ...dbRest } = fromDb.body;
      const { quote: _b, ...providerRest } = fromProviders.body;
      expect(dbRest).toEqual(providerRest);
      // Read from the server's market_bars, not computed in the process.
      if (symbol !== 'AAPL') expect((await historyReads()) - readsBefore).toBe(1);
    }
    expect(await historyReads()).toBeGreaterThan(1);
  }, 30_000);

  it('writes what the providers answered to cache_entries on the server', async () => {
    const price = await call(first!.url, '/mcp/tools/get_price', { query: { symbol } });
    expect(price.status).toBe(200);
    expect(price.body.cache_layer).toBeNull();
    await until(async () => (await cacheRow(`price:${symbol}`)) !== undefined, 'the price row');
    expect((await cacheRow(`price:${symbol}`))?.value.price).toBe(price.body.price);
  });

  it('starts again on the same database without seeding it again, its persistent cache intact', async () => {
    const [seededBefore] = await marketSeed();
    const insertsBefore = await barInserts();
    expect(insertsBefore).toBeGreaterThan(0);
    const entryBefore = await cacheRow(`price:${symbol}`);
    expect(await stop(first!)).toBe(0);

    second = await serve(server.url);
    expect(second.banner).not.toContain(PG_PASSWORD);
    // No second fill: the seeding's INSERT did not run, market_seed is the first one's row.
    expect(await barInserts()).toBe(insertsBefore);
    expect(await marketSeed()).toEqual([seededBefore]);
    // The first FIML's cache entry survived it, and the second answers from it.
    expect(await cacheRow(`price:${symbol}`)).toEqual(entryBefore);
    const price = await call(second.url, '/mcp/tools/get_price', { query: { symbol } });
    expect(price.body.cache_layer).toBe('db');
    expect(price.body.price).toBe(entryBefore?.value.price);
    expect(await stop(second)).toBe(0);
  }, 30_000);

  it('refuses a wrong password in one line, exit 2, the password nowhere', async () => {
    const wrong = server.url.replace(`:${PG_PASSWORD}@`, ':WRONG@');
    const run = await runCli(['serve', '--port', '0', '--database', wrong]);
    expectUserError(
      run,
      /^fiml-perf: cannot reach PostgreSQL at postgres:\/\/fiml:\*\*\*@127\.0\.0\.1:\d+\/fiml: password authentication failed .*--database/,
    );
    expect(run.stdout + run.stderr).not.toContain('WRONG');
    expect(run.stdout).toBe('');
  });
});
