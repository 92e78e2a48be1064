/**
 * FIML's schema, as ordered migrations: each runs once, in a transaction, and is recorded in
 * `fiml_migrations`. Never edit one that has shipped; add the next.
 *
 * The tables follow the seed's FIML (scripts/init-db.sql): `assets`, bars in `market_bars` (the
 * seed's `ohlcv_cache`) and the persistent cache in `cache_entries` (its `generic_cache`).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The index FIML's history query needs; the `missing-index` fault drops it (issue 27). */
export const HISTORY_INDEX = 'market_bars_asset_timeframe_time_idx';

/** `CREATE INDEX` of HISTORY_INDEX, also run to restore it after the fault. */
export const HISTORY_INDEX_DDL = `CREATE UNIQUE INDEX IF NOT EXISTS ${HISTORY_INDEX} ON market_bars (asset_id, timeframe, time DESC)`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'assets, market bars and the persistent cache',
    sql: `
CREATE TABLE assets (
  id         integer PRIMARY KEY,
  symbol     text NOT NULL,
  name       text NOT NULL,
  asset_type text NOT NULL,
  exchange   text NOT NULL,
  currency   text NOT NULL,
  sector     text NOT NULL
);
-- Serves: SELECT id FROM assets WHERE symbol = $1 (resolving a symbol once per process).
CREATE UNIQUE INDEX assets_symbol_idx ON assets (symbol);

-- The seed's ohlcv_cache has a primary key that starts with time; here no key at all but the
-- history index, which also keeps bars unique: dropping it (the missing-index fault) leaves
-- nothing that finds one asset's bars but a sequential scan, as on the seed's large tables.
CREATE TABLE market_bars (
  time      timestamptz NOT NULL,
  asset_id  integer NOT NULL REFERENCES assets (id),
  timeframe text NOT NULL,
  open      double precision NOT NULL,
  high      double precision NOT NULL,
  low       double precision NOT NULL,
  close     double precision NOT NULL,
  volume    bigint NOT NULL
);
-- Serves: SELECT ... FROM market_bars WHERE asset_id = $1 AND timeframe = $2
--         ORDER BY time DESC LIMIT $3 (an asset's history: market data, analyses, FK-DSL).
${HISTORY_INDEX_DDL};
-- Serves: scans by time over every asset (the newest bars, retention): BRIN, a few pages.
CREATE INDEX market_bars_time_brin ON market_bars USING brin (time);

CREATE TABLE cache_entries (
  key        text PRIMARY KEY, -- serves: SELECT value FROM cache_entries WHERE key = $1
  value      jsonb NOT NULL,
  expires_at timestamptz NOT NULL
);
-- Serves: DELETE FROM cache_entries WHERE expires_at < now() (the periodic sweep).
CREATE INDEX cache_entries_expires_at_idx ON cache_entries (expires_at);

-- What the seed put in a row once the data is generated: the seed and the day it ends on.
CREATE TABLE market_seed (
  seed      bigint NOT NULL,
  end_date  date NOT NULL,
  bars      integer NOT NULL,
  seeded_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
];
