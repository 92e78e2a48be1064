/**
 * The database's view over a window against a private PostgreSQL with pg_stat_statements: a known
 * workload (exactly K calls through a client of its own) between two snapshots gives exact
 * differences, fiml-perf's own SQL is not among the statements, the plan names the sequential scan
 * and the index that fixes it, and once that index exists the next window scans by index. The
 * tests run in order on one server (each window follows the last).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DatabaseSection,
  type DatabaseWatch,
  databaseWindow,
  MARKER,
  openDatabaseWatch,
} from '../../src/database/index.js';
import {
  hasPostgres,
  PG_PASSWORD,
  type PrivatePostgres,
  startPostgres,
} from '../helpers/postgres.js';

const ROWS = 50_000;
const K = 12;
const HISTORY = 'SELECT * FROM bars WHERE asset_id = $1 ORDER BY time DESC LIMIT 10';
/** As pg_stat_statements normalises it: the constant becomes the next parameter. */
const HISTORY_NORMALISED = 'SELECT * FROM bars WHERE asset_id = $1 ORDER BY time DESC LIMIT $2';
/** Generous: the workload's client has closed, so the statistics settle at once. */
const SETTLE_MS = 15_000;

/** Runs `work` on a client of its own, closed before returning (its counts are then flushed). */
async function workload(url: string, work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

describe.skipIf(!hasPostgres)(
  'the database over a window (PostgreSQL with pg_stat_statements)',
  () => {
    let server: PrivatePostgres;
    let watch: DatabaseWatch;

    /** A window around `work`, explained. */
    async function window(work: (client: pg.Client) => Promise<void>): Promise<DatabaseSection> {
      const start = await watch.snapshot();
      await workload(server.url, work);
      const end = await watch.snapshot({ settleMs: SETTLE_MS });
      return databaseWindow(watch, start, end);
    }

    beforeAll(async () => {
      // Preloaded, not created: the first test sees that state.
      server = await startPostgres({ statements: true, createExtension: false });
      await workload(server.url, async (client) => {
        await client.query(`
        CREATE TABLE bars (id serial PRIMARY KEY, asset_id int NOT NULL, time timestamptz NOT NULL, price float8);
        INSERT INTO bars (asset_id, time, price)
          SELECT g % 100, timestamptz '2024-01-01' - g * interval '1 minute', g FROM generate_series(1, ${ROWS}) g;
        CREATE TABLE counters (n int NOT NULL);
        INSERT INTO counters VALUES (5);
        ANALYZE;`);
      });
    });

    afterAll(async () => {
      await watch?.close();
      await server?.stop();
    });

    it('says in one line how to create pg_stat_statements where the server loads it but the database lacks it, and does not create it', async () => {
      const bare = await openDatabaseWatch(server.url, { source: 'service' });
      try {
        expect(bare.statementsAvailable).toBe(false);
        expect(bare.statementsNote).toBe(
          'no statements: pg_stat_statements is loaded but not created in database "fiml"; run CREATE EXTENSION pg_stat_statements; there (as a superuser)',
        );
        const snapshot = await bare.snapshot();
        expect(snapshot.statements).toEqual([]);
        expect(snapshot.tables.map((t) => t.table).sort()).toEqual([
          'public.bars',
          'public.counters',
        ]);
      } finally {
        await bare.close();
      }
      const admin = new pg.Client(server.admin);
      await admin.connect();
      const { rows } = await admin.query(
        "SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'",
      );
      await admin.end();
      expect(rows).toEqual([]);
    });

    it('creates it when asked (createExtension, as FIML does for its own database)', async () => {
      // The superuser over the server's socket: creating the extension needs one.
      const adminUrl = `postgres://postgres@localhost:${server.port}/fiml?host=${encodeURIComponent(String(server.admin.host))}`;
      const owner = await openDatabaseWatch(adminUrl, { source: 'fiml', createExtension: true });
      expect(owner.statementsAvailable).toBe(true);
      await owner.close();
      watch = await openDatabaseWatch(server.url, { source: 'service' });
      expect(watch).toMatchObject({
        statementsAvailable: true,
        statementsNote: null,
        database: 'fiml',
        url: server.url.replace(PG_PASSWORD, '***'),
      });
      expect(watch.serverVersionNum).toBeGreaterThanOrEqual(120_000);
    });

    let first: DatabaseSection;

    it('counts exactly the K calls sent, their rows and the K sequential scans of the table', async () => {
      first = await window(async (client) => {
        for (let i = 0; i < K; i++) await client.query(HISTORY, [i % 100]);
      });
      // Nothing else ran in the window: fiml-perf's own reads and plans are not among the statements.
      expect(first.statements.map((s) => s.query)).toEqual([HISTORY_NORMALISED]);
      expect(first.statements.every((s) => !s.query.includes(MARKER))).toBe(true);
      const [history] = first.statements;
      expect(history).toMatchObject({ calls: K, rows: K * 10, share: 1 });
      expect(history!.totalMs).toBeGreaterThan(0);
      expect(first.statementCalls).toBe(K);
      const bars = first.tables.find((t) => t.table === 'public.bars');
      expect(bars).toMatchObject({
        seqScans: K,
        seqRowsRead: K * ROWS,
        indexScans: 0,
        inserted: 0,
        updated: 0,
        deleted: 0,
        liveRows: ROWS,
      });
      expect(first.tables.map((t) => t.table)).toEqual(['public.bars']);
      expect(first.cache.blocksHit).toBeGreaterThan(0);
      expect(first.cache.hitRatio).not.toBeNull();
      expect(first.commits).toBeGreaterThanOrEqual(K);
      expect(first.problems).toEqual([]);
    });

    it('names the Seq Scan as the costliest node and suggests the index on the filtered column', () => {
      const [history] = first.statements;
      expect(history!.planError).toBeNull();
      expect(history!.costliest).toMatchObject({ nodeType: 'Seq Scan', relation: 'public.bars' });
      expect(history!.costliest!.share).toBeGreaterThan(0.5);
      expect(first.suggestions).toEqual([
        {
          table: 'public.bars',
          columns: ['asset_id', 'time'],
          ddl: 'CREATE INDEX CONCURRENTLY ON public.bars (asset_id, "time" DESC)',
          reason: expect.stringMatching(
            /^Seq Scan on public\.bars reads all ~50,000 rows to keep those matching \(bars\.asset_id = \$1\), in a statement taking 100% of the window's statement time/,
          ),
        },
      ]);
    });

    it('after that index, the next window has index scans and no suggestion', async () => {
      await workload(server.url, async (client) => {
        await client.query(first.suggestions[0]!.ddl);
      });
      const next = await window(async (client) => {
        for (let i = 0; i < K; i++) await client.query(HISTORY, [i % 100]);
      });
      expect(next.statements.map((s) => [s.query, s.calls, s.rows])).toEqual([
        [HISTORY_NORMALISED, K, K * 10],
      ]);
      expect(next.tables.find((t) => t.table === 'public.bars')).toMatchObject({
        seqScans: 0,
        seqRowsRead: 0,
        indexScans: K,
      });
      expect(next.statements[0]!.costliest?.nodeType).not.toBe('Seq Scan');
      expect(next.suggestions).toEqual([]);
    });

    it('plans a statement that writes without running it, and says why a utility command or a statement it cannot prepare has no plan', async () => {
      const section = await window(async (client) => {
        // No constant, so pg_stat_statements keeps it as sent: run again, it would flip n back.
        await client.query('UPDATE counters SET n = -n');
        await client.query('UPDATE bars SET price = $1 WHERE id = $2', [-1, 7]);
        await client.query('VACUUM counters');
        await client.query('CREATE TEMP TABLE scratch (a int)');
        await client.query('SELECT * FROM scratch WHERE a = $1', [1]);
      });
      const byQuery = new Map(section.statements.map((s) => [s.query, s]));
      const flip = byQuery.get('UPDATE counters SET n = -n');
      expect(flip).toMatchObject({ calls: 1, planError: null });
      expect(flip!.plan?.nodeType).toBe('ModifyTable');
      expect(
        byQuery.get('UPDATE bars SET price = $1 WHERE id = $2')?.plan?.children[0],
      ).toMatchObject({
        nodeType: 'Index Scan',
        index: 'bars_pkey',
      });
      expect(byQuery.get('VACUUM counters')).toMatchObject({
        plan: null,
        planError: 'VACUUM is not a query: not explained',
      });
      // Another session's temporary table: it cannot be prepared here.
      expect(byQuery.get('SELECT * FROM scratch WHERE a = $1')).toMatchObject({
        plan: null,
        planError: 'relation "scratch" does not exist',
      });
      expect(section.problems).toContain(
        'no plan for "SELECT * FROM scratch WHERE a = $1": relation "scratch" does not exist',
      );
      // The flip ran once, in the workload: explaining it changed nothing.
      await workload(server.url, async (client) => {
        const { rows } = await client.query('SELECT n FROM counters');
        expect(rows).toEqual([{ n: -5 }]);
        const price = await client.query('SELECT price FROM bars WHERE id = 7');
        expect(price.rows).toEqual([{ price: -1 }]);
      });
    });

    it('counts nothing for the statements it explained (planning is not a call)', async () => {
      const start = await watch.snapshot();
      await watch.explain('UPDATE counters SET n = -n');
      await watch.explain(HISTORY_NORMALISED);
      const end = await watch.snapshot();
      const section = await databaseWindow(watch, start, end);
      expect(section.statements).toEqual([]);
      expect(section.tables).toEqual([]);
    });

    it('refuses a wrong password with FP_ERR_DATABASE, without the password', async () => {
      const wrong = server.url.replace(PG_PASSWORD, 'Not-The-Pw-42');
      const error = await openDatabaseWatch(wrong, { source: 'service' }).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'FP_ERR_DATABASE',
        message: `PostgreSQL at ${server.url.replace(PG_PASSWORD, '***')} refused user "fiml": wrong password; fix the password in the URL`,
      });
      expect(String((error as Error).message)).not.toContain('Not-The-Pw-42');
      expect(JSON.stringify(error)).not.toContain('Not-The-Pw-42');
    });

    it('refuses an unknown database with FP_ERR_DATABASE', async () => {
      const unknown = server.url.replace(/\/fiml$/, '/nope');
      await expect(openDatabaseWatch(unknown, { source: 'service' })).rejects.toMatchObject({
        code: 'FP_ERR_DATABASE',
        message: `database "nope" does not exist at ${unknown.replace(PG_PASSWORD, '***')}; create it (createdb nope) or name an existing one in the URL`,
      });
    });
  },
);
