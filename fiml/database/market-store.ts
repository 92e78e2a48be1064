import pg from 'pg';
import type { Asset } from '../assets.js';
import type { Bar } from '../market.js';
import { HISTORY_INDEX, HISTORY_INDEX_DDL, MIGRATIONS } from './migrations.js';
import { type BarRow, barsOf } from './seed.js';

/** FIML's database could not be reached or set up; the message says which URL (redacted) and why. */
export class DatabaseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseError';
  }
}

/** Told of every query FIML sends: the monitor times them by statement name. */
export interface QueryObserver {
  onQuery(statement: string, seconds: number, ok: boolean): void;
}

export interface MarketStoreOptions {
  readonly url: string;
  readonly seed: number;
  /** Connections FIML keeps to the database. @default 10 */
  readonly poolSize?: number;
  readonly observer?: QueryObserver;
  /** The day the daily history ends on. @default today (UTC) */
  readonly endDate?: Date;
}

export interface SeedReport {
  /** False when the data of this seed and day was already there. */
  readonly seeded: boolean;
  readonly rows: number;
  readonly ms: number;
}

/** Rows per INSERT: one statement of unnest arrays, not one per row. */
const CHUNK = 20_000;

/** The password of a connection URL, hidden. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/**
 * FIML's market history and persistent cache in PostgreSQL: every query parameterised, every
 * one named for the metrics. One instance per FIML; `close` ends its pool.
 */
export class MarketStore {
  readonly url: string;
  readonly #pool: pg.Pool;
  readonly #seed: number;
  readonly #endDate: Date;
  readonly #observer: QueryObserver | undefined;
  readonly #assetIds = new Map<string, number>();

  constructor(options: MarketStoreOptions) {
    this.url = redactDatabaseUrl(options.url);
    this.#seed = options.seed;
    this.#endDate = options.endDate ?? new Date();
    this.#observer = options.observer;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      application_name: 'fiml',
    });
    // An idle connection that breaks (the server restarted) is replaced on next use; without a
    // listener the pool's error would end the process.
    this.#pool.on('error', () => {});
  }

  /** Connections open and idle, for the metrics. */
  get connections(): { total: number; idle: number; waiting: number } {
    return {
      total: this.#pool.totalCount,
      idle: this.#pool.idleCount,
      waiting: this.#pool.waitingCount,
    };
  }

  /** Connects, applies the migrations not yet applied. @throws DatabaseError */
  async migrate(): Promise<number> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw new DatabaseError(
        `cannot reach PostgreSQL at ${this.url}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS fiml_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const done = new Set(
        (await client.query<{ version: number }>('SELECT version FROM fiml_migrations')).rows.map(
          (r) => r.version,
        ),
      );
      let applied = 0;
      for (const migration of MIGRATIONS) {
        if (done.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO fiml_migrations (version, name) VALUES ($1, $2)', [
            migration.version,
            migration.name,
          ]);
          await client.query('COMMIT');
          applied++;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw new DatabaseError(
            `migration ${migration.version} (${migration.name}) failed on ${this.url}: ${(error as Error).message}`,
            { cause: error },
          );
        }
      }
      return applied;
    } finally {
      client.release();
    }
  }

  /**
   * Fills assets and bars for this seed and day, once: a database that holds them already is
   * left as it is; one of another seed or day is refilled.
   */
  async seed(assets: readonly Asset[]): Promise<SeedReport> {
    const started = performance.now();
    const endDate = isoDate(this.#endDate);
    const current = await this.#pool.query<{ seed: string; end_date: string; bars: number }>(
      "SELECT seed::text, to_char(end_date, 'YYYY-MM-DD') AS end_date, bars FROM market_seed",
    );
    const row = current.rows[0];
    if (row && Number(row.seed) === this.#seed && row.end_date === endDate) {
      await this.#loadIds();
      return { seeded: false, rows: row.bars, ms: performance.now() - started };
    }
    const client = await this.#pool.connect();
    let rows = 0;
    try {
      await client.query('BEGIN');
      await client.query('TRUNCATE market_bars, assets, market_seed');
      await client.query(
        'INSERT INTO assets (id, symbol, name, asset_type, exchange, currency, sector) SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])',
        [
          assets.map((_, i) => i + 1),
          assets.map((a) => a.symbol),
          assets.map((a) => a.name),
          assets.map((a) => a.type),
          assets.map((a) => a.exchange),
          assets.map((a) => a.currency),
          assets.map((a) => a.sector),
        ],
      );
      let batch: { id: number; row: BarRow }[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await client.query(
          'INSERT INTO market_bars (time, asset_id, timeframe, open, high, low, close, volume) SELECT to_timestamp(t / 1000.0), a, f, o, h, l, c, v FROM unnest($1::float8[], $2::int[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::bigint[]) AS u(t, a, f, o, h, l, c, v)',
          [
            batch.map((b) => b.row.time),
            batch.map((b) => b.id),
            batch.map((b) => b.row.timeframe),
            batch.map((b) => b.row.open),
            batch.map((b) => b.row.high),
            batch.map((b) => b.row.low),
            batch.map((b) => b.row.close),
            batch.map((b) => b.row.volume),
          ],
        );
        rows += batch.length;
        batch = [];
      };
      for (const [i, asset] of assets.entries()) {
        for (const row of barsOf(asset, this.#seed, this.#endDate)) batch.push({ id: i + 1, row });
        if (batch.length >= CHUNK) await flush();
      }
      await flush();
      await client.query('INSERT INTO market_seed (seed, end_date, bars) VALUES ($1, $2, $3)', [
        this.#seed,
        endDate,
        rows,
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw new DatabaseError(
        `cannot fill FIML's database at ${this.url}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    } finally {
      client.release();
    }
    // Fresh statistics, so the planner knows the table's size from the first query on.
    await this.#pool.query('ANALYZE assets, market_bars');
    await this.#loadIds();
    return { seeded: true, rows, ms: performance.now() - started };
  }

  /** The newest `limit` bars of an asset, oldest first; empty when the asset has none stored. */
  async bars(asset: Asset, timeframe: '1d' | '1h', limit: number): Promise<Bar[]> {
    const id = this.#assetIds.get(asset.symbol);
    if (id === undefined) return [];
    const result = await this.#query<{
      day: string;
      open: number;
      high: number;
      low: number;
      close: number;
      volume: string;
    }>(
      'history',
      "SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI') AS day, open, high, low, close, volume FROM market_bars WHERE asset_id = $1 AND timeframe = $2 ORDER BY time DESC LIMIT $3",
      [id, timeframe, limit],
    );
    const bars: Bar[] = [];
    for (let i = result.rows.length - 1; i >= 0; i--) {
      const r = result.rows[i]!;
      bars.push({
        date: timeframe === '1d' ? r.day.slice(0, 10) : `${r.day}Z`,
        open: r.open,
        high: r.high,
        low: r.low,
        close: r.close,
        volume: Number(r.volume),
      });
    }
    return bars;
  }

  /** A persistent cache entry not yet expired, or undefined. */
  async cacheGet(key: string): Promise<unknown> {
    const result = await this.#query<{ value: unknown }>(
      'cache_get',
      'SELECT value FROM cache_entries WHERE key = $1 AND expires_at > now()',
      [key],
    );
    return result.rows[0]?.value;
  }

  async cacheSet(key: string, value: unknown, ttlMs: number): Promise<void> {
    await this.#query(
      'cache_set',
      // make_interval of a parameter, no literal: normalised by pg_stat_statements, a literal
      // becomes a parameter (`interval '1 ms'` -> `interval $4`), which may no longer parse or
      // type, and the statement could not be explained.
      'INSERT INTO cache_entries (key, value, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3)) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at',
      [key, JSON.stringify(value), ttlMs / 1000],
    );
  }

  /** Deletes expired cache entries; returns how many. */
  async sweep(): Promise<number> {
    const result = await this.#query(
      'cache_sweep',
      'DELETE FROM cache_entries WHERE expires_at < now()',
      [],
    );
    return result.rowCount ?? 0;
  }

  /** Whether the history index exists (the `missing-index` fault drops it). */
  async hasHistoryIndex(): Promise<boolean> {
    const result = await this.#pool.query('SELECT 1 FROM pg_indexes WHERE indexname = $1', [
      HISTORY_INDEX,
    ]);
    return result.rowCount === 1;
  }

  /** Drops the history index (a fault) or creates it again. */
  async setHistoryIndex(present: boolean): Promise<void> {
    await this.#pool.query(present ? HISTORY_INDEX_DDL : `DROP INDEX IF EXISTS ${HISTORY_INDEX}`);
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => {});
  }

  async #loadIds(): Promise<void> {
    const result = await this.#pool.query<{ id: number; symbol: string }>(
      'SELECT id, symbol FROM assets',
    );
    this.#assetIds.clear();
    for (const r of result.rows) this.#assetIds.set(r.symbol, r.id);
  }

  async #query<R extends pg.QueryResultRow>(
    statement: string,
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const started = performance.now();
    let ok = false;
    try {
      // Unnamed statements: the embedded PostgreSQL serves every connection from one session,
      // where two connections' named statements would collide.
      const result = await this.#pool.query<R>(text, values);
      ok = true;
      return result;
    } finally {
      this.#observer?.onQuery(statement, (performance.now() - started) / 1000, ok);
    }
  }
}
