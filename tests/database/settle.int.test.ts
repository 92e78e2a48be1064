/**
 * PostgreSQL 15+ keeps a session's table counts for up to 10 s after it goes idle (it flushes at
 * most once a second, and an idle session's leftovers after PGSTAT_IDLE_INTERVAL): the end
 * snapshot's `settleMs` waits for them, and says so when its bound ends the wait first. The
 * workload's session stays open here, as a service's connection pool does. About 11 s.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DatabaseSnapshot,
  type DatabaseWatch,
  diffWindow,
  openDatabaseWatch,
} from '../../src/database/index.js';
import { hasPostgres, type PrivatePostgres, startPostgres } from '../helpers/postgres.js';

const ROWS = 10_000;
const K = 7;

describe.skipIf(!hasPostgres)('snapshot({ settleMs }) with a session left open', () => {
  let server: PrivatePostgres;
  let watch: DatabaseWatch;
  let pool: pg.Client;
  let start: DatabaseSnapshot;

  beforeAll(async () => {
    server = await startPostgres({ statements: false });
    const setup = new pg.Client({ connectionString: server.url });
    await setup.connect();
    await setup.query(`
      CREATE TABLE bars (id serial PRIMARY KEY, asset_id int NOT NULL);
      INSERT INTO bars (asset_id) SELECT g % 100 FROM generate_series(1, ${ROWS}) g;`);
    await setup.end();
    watch = await openDatabaseWatch(server.url, { source: 'service' });
    start = await watch.snapshot();
    pool = new pg.Client({ connectionString: server.url });
    await pool.connect();
    for (let i = 0; i < K; i++) await pool.query('SELECT * FROM bars WHERE asset_id = $1', [i]);
  });

  afterAll(async () => {
    await pool?.end();
    await watch?.close();
    await server?.stop();
  });

  it('says when its bound ended the wait before an open session was idle long enough', async () => {
    const end = await watch.snapshot({ settleMs: 200 });
    expect(end.problems).toEqual([
      "1 session(s) were working or idle for under 10 s when the window ended: the table and database figures may miss their last second of work (PostgreSQL 15+ publishes an idle session's counts after 10 s)",
    ]);
  });

  it('waits for the idle session’s counts, then they are exact', async () => {
    const end = await watch.snapshot({ settleMs: 20_000 });
    expect(end.problems).toEqual([]);
    const section = diffWindow(start, end, 1);
    expect(section.tables).toEqual([
      expect.objectContaining({ table: 'public.bars', seqScans: K, seqRowsRead: K * ROWS }),
    ]);
    expect(section.connections).toEqual({ idle: 1 });
  });
});
