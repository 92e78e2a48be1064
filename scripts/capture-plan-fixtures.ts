/**
 * Captures the EXPLAIN plans tests/database/*.test.ts read (tests/fixtures/postgres/*.json) from
 * a private PostgreSQL: a 50,000-row table `bars` without an index on the filtered column, a
 * 100-row `assets`, a 400,000-row `big` (a parallel scan), each statement explained the way
 * fiml-perf explains them (generic plan, VERBOSE, never ANALYZE). Rerun after a PostgreSQL
 * upgrade to see what changed:
 *
 *   node --import tsx scripts/capture-plan-fixtures.ts && npx biome format --write tests/fixtures/postgres
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { openDatabaseWatch } from '../src/database/index.js';
import { startPostgres } from '../tests/helpers/postgres.js';

const STATEMENTS: Record<string, string> = {
  'seq-scan-sort-limit': 'SELECT * FROM bars WHERE asset_id = $1 ORDER BY time DESC LIMIT $2',
  'seq-scan-two-columns': 'SELECT id, price FROM bars WHERE asset_id = $1 AND symbol = $2',
  'seq-scan-constant': "SELECT * FROM bars WHERE symbol = 'S1'",
  'seq-scan-range-sorted': 'SELECT * FROM bars WHERE time > $1 ORDER BY time DESC',
  'seq-scan-not-understood': 'SELECT * FROM bars WHERE lower(symbol) = $1 OR price > $2',
  'small-table': 'SELECT * FROM assets WHERE name = $1',
  join: 'SELECT a.name, b.price FROM bars b JOIN assets a ON a.id = b.asset_id WHERE b.symbol = $1',
  parallel: 'SELECT * FROM big WHERE k = $1 ORDER BY v',
  aggregate: 'SELECT asset_id, count(*) FROM bars GROUP BY asset_id',
  'update-by-id': 'UPDATE bars SET price = $1 WHERE id = $2',
};

const server = await startPostgres();
try {
  const admin = new pg.Client(server.admin);
  await admin.connect();
  await admin.query(`
    SET ROLE fiml;
    CREATE TABLE bars (id serial PRIMARY KEY, asset_id int NOT NULL, time timestamptz NOT NULL, price float8, symbol text);
    INSERT INTO bars (asset_id, time, price, symbol)
      SELECT g % 100, timestamptz '2024-01-01' - g * interval '1 minute', g, 'S' || (g % 100) FROM generate_series(1, 50000) g;
    CREATE TABLE assets (id int PRIMARY KEY, name varchar(20));
    INSERT INTO assets SELECT g, 'A' || g FROM generate_series(0, 99) g;
    CREATE TABLE big (id bigserial PRIMARY KEY, k int, v float8);
    INSERT INTO big (k, v) SELECT g % 1000, g FROM generate_series(1, 400000) g;
    ANALYZE;`);
  await admin.end();
  const watch = await openDatabaseWatch(server.url, { source: 'service' });
  for (const [name, statement] of Object.entries(STATEMENTS)) {
    const outcome = await watch.explain(statement);
    if ('error' in outcome) throw new Error(`${name}: ${outcome.error}`);
    const file = new URL(`../tests/fixtures/postgres/${name}.json`, import.meta.url);
    writeFileSync(file, `${JSON.stringify(outcome.plan, null, 2)}\n`);
    console.log(`${name}: ${statement}`);
  }
  await watch.close();
} finally {
  await server.stop();
}
