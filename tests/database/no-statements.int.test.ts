/**
 * A server without pg_stat_statements in shared_preload_libraries: the window has no statements
 * and one line saying how to enable them; the tables, the hit ratio and the connections are still
 * read. The same line when the extension was created but the server does not load the library
 * (the view then fails with its own error).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseWindow, openDatabaseWatch } from '../../src/database/index.js';
import { hasPostgres, type PrivatePostgres, startPostgres } from '../helpers/postgres.js';

const ROWS = 20_000;
const K = 5;
const NOTE =
  `no statements: pg_stat_statements is not loaded by the server; set shared_preload_libraries = 'pg_stat_statements' ` +
  `in postgresql.conf, restart PostgreSQL, then run CREATE EXTENSION pg_stat_statements; in database "fiml"`;

describe.skipIf(!hasPostgres)('the database over a window without pg_stat_statements', () => {
  let server: PrivatePostgres;

  beforeAll(async () => {
    server = await startPostgres({ statements: false });
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query(`
      CREATE TABLE bars (id serial PRIMARY KEY, asset_id int NOT NULL, price float8);
      INSERT INTO bars (asset_id, price) SELECT g % 100, g FROM generate_series(1, ${ROWS}) g;
      ANALYZE bars;`);
    await client.end();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('says in one line how to enable them, and still reads the tables and the hit ratio', async () => {
    const watch = await openDatabaseWatch(server.url, { source: 'service' });
    try {
      expect(watch.statementsAvailable).toBe(false);
      expect(watch.statementsNote).toBe(NOTE);
      const start = await watch.snapshot();
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      for (let i = 0; i < K; i++) await client.query('SELECT * FROM bars WHERE asset_id = $1', [i]);
      await client.end();
      const end = await watch.snapshot({ settleMs: 15_000 });
      const section = await databaseWindow(watch, start, end);
      expect(section).toMatchObject({
        statementsAvailable: false,
        statementsNote: NOTE,
        statements: [],
        statementCalls: 0,
        suggestions: [],
      });
      expect(section.tables).toEqual([
        expect.objectContaining({ table: 'public.bars', seqScans: K, seqRowsRead: K * ROWS }),
      ]);
      expect(section.cache.blocksHit).toBeGreaterThan(0);
      expect(section.cache.hitRatio).toBeGreaterThan(0);
    } finally {
      await watch.close();
    }
  });

  it("counts the database's sessions by state, its own left out", async () => {
    const watch = await openDatabaseWatch(server.url, { source: 'service' });
    const idle = new pg.Client({ connectionString: server.url });
    await idle.connect();
    try {
      expect((await watch.snapshot()).connections).toEqual({ idle: 1 });
    } finally {
      await idle.end();
      await watch.close();
    }
  });

  it("cannot wait for another role's hidden session at the window's end, and says why", async () => {
    const admin = new pg.Client(server.admin);
    await admin.connect();
    await admin.query("CREATE ROLE other LOGIN PASSWORD 'other-pw'");
    await admin.end();
    const other = new pg.Client({
      connectionString: server.url.replace(/\/\/fiml:[^@]*@/, '//other:other-pw@'),
    });
    await other.connect();
    const watch = await openDatabaseWatch(server.url, { source: 'service' });
    try {
      const snapshot = await watch.snapshot({ settleMs: 200 });
      expect(snapshot.connections).toEqual({ hidden: 1 });
      expect(snapshot.problems).toEqual([
        "1 session(s) of other roles are hidden from this user, so the window's end could not wait for their counts: the table and database figures may miss their last second of work; GRANT pg_read_all_stats TO it",
      ]);
    } finally {
      await other.end();
      await watch.close();
    }
  });

  it('says the same when the extension exists but the server does not load it', async () => {
    const admin = new pg.Client(server.admin);
    await admin.connect();
    await admin.query('CREATE EXTENSION pg_stat_statements');
    await admin.end();
    const watch = await openDatabaseWatch(server.url, { source: 'service' });
    try {
      expect(watch.statementsNote).toBe(NOTE);
      const snapshot = await watch.snapshot();
      expect(snapshot.statementsAvailable).toBe(false);
      expect(snapshot.problems).toEqual([]);
    } finally {
      await watch.close();
    }
  });
});
