/**
 * `fiml-perf load --postgres URL` on a service of the test's own (issue 27): a small HTTP server
 * whose one route runs a parameterised query through its own `pg` pool on a private PostgreSQL,
 * filtered on a column no index serves. The run's database section must agree with what the
 * server answered, name the sequential scan and the index that fixes it, hide the password, and
 * be in the HTML report; `db.large_seq_scans` judges it; a wrong password stops the run before
 * it sends a request.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSection } from '../../src/database/index.js';
import type { TargetedResult } from '../../src/targets/index.js';
import { expectUserError, runCli } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import {
  hasPostgres,
  PG_PASSWORD,
  type PrivatePostgres,
  startPostgres,
} from '../helpers/postgres.js';

const ROWS = 20_000;
const ORDERS_BY_CUSTOMER = 'SELECT id, amount FROM orders WHERE customer = $1';

describe.skipIf(!hasPostgres)('load --postgres: the database of any service', () => {
  let server: PrivatePostgres;
  let service: TestServer;
  let pool: pg.Pool;
  let dir: string;
  /** What the service saw: every request, and the orders it answered 200 after its query. */
  const seen = { requests: 0, ok: 0 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fiml-perf-load-postgres-'));
    server = await startPostgres();
    const setup = new pg.Client({ connectionString: server.url });
    await setup.connect();
    try {
      await setup.query(`
        CREATE TABLE orders (id serial PRIMARY KEY, customer int NOT NULL, amount numeric NOT NULL);
        INSERT INTO orders (customer, amount) SELECT g % 500, g * 1.5 FROM generate_series(1, ${ROWS}) g;
        ANALYZE orders;`);
    } finally {
      await setup.end();
    }
    // Its pool closes idle connections after 1 s: with pg's default (10 s) the window's end
    // waits ~10 s for their table counts (PostgreSQL publishes an idle session's counts late;
    // tests/database/settle.int.test.ts covers that wait).
    pool = new pg.Pool({ connectionString: server.url, max: 2, idleTimeoutMillis: 1000 });
    // An idle connection ended by the server's shutdown at the end is no failure of the test.
    pool.on('error', () => {});
    service = await startHttpServer((req, res) => {
      seen.requests++;
      const url = new URL(req.url ?? '/', 'http://x');
      const reply = (query: Promise<pg.QueryResult>, onOk: () => void) =>
        query.then(
          (result) => {
            onOk();
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify(result.rowCount));
          },
          (error: Error) => res.writeHead(500).end(error.message),
        );
      if (url.pathname === '/orders')
        reply(pool.query(ORDERS_BY_CUSTOMER, [Number(url.searchParams.get('c'))]), () => {
          seen.ok++;
        });
      // As many services' health checks do: it asks the database too.
      else if (url.pathname === '/health') reply(pool.query('SELECT 1'), () => {});
      else res.writeHead(404).end();
    });
  }, 30_000);

  afterAll(async () => {
    await service?.close();
    await pool?.end();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the statement the service ran, its sequential scan and the index, and fails db.large_seq_scans', async () => {
    const json = join(dir, 'out.json');
    const html = join(dir, 'out.html');
    const run = await runCli([
      'load',
      `${service.url}/orders?c=1`,
      '-c',
      '2',
      '-d',
      '3s',
      '-q',
      '--postgres',
      server.url,
      '--target',
      'db.large_seq_scans < 1',
      '--json',
      json,
      '--html',
      html,
    ]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout + run.stderr).not.toContain(PG_PASSWORD);
    const result = JSON.parse(readFileSync(json, 'utf8')) as TargetedResult & {
      database: DatabaseSection;
    };
    expect(result.targets.outcomes).toEqual([
      expect.objectContaining({ expression: 'db.large_seq_scans < 1', verdict: 'fail' }),
    ]);

    const database = result.database;
    expect(database.source).toBe('service');
    expect(database.url).toBe(server.url.replace(`:${PG_PASSWORD}@`, ':***@'));
    expect(JSON.stringify(result)).not.toContain(PG_PASSWORD);
    expect(database.statementsAvailable).toBe(true);

    // Figures agree with the wire: one call per request the service answered.
    expect(seen.ok).toBeGreaterThan(10);
    expect(seen.ok).toBe(result.totals.requests);
    const statement = database.statements.find((s) => s.query === ORDERS_BY_CUSTOMER);
    expect(statement, JSON.stringify(database.statements.map((s) => s.query))).toBeDefined();
    expect(statement?.calls).toBe(seen.ok);
    expect(statement?.rows).toBe(seen.ok * (ROWS / 500));
    // The table's counts settled: every call one sequential scan of it, and nothing else.
    const orders = database.tables.find((t) => t.table === 'public.orders');
    expect(orders?.seqScans).toBe(seen.ok);
    expect(orders?.liveRows).toBe(ROWS);
    expect(database.problems).toEqual([]);

    expect(statement?.costliest).toMatchObject({ nodeType: 'Seq Scan', relation: 'public.orders' });
    expect(statement?.suggestions).toEqual([
      expect.objectContaining({
        table: 'public.orders',
        columns: ['customer'],
        ddl: 'CREATE INDEX CONCURRENTLY ON public.orders (customer)',
      }),
    ]);
    expect(database.suggestions).toEqual(statement?.suggestions);

    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/<h2 id="[^"]*-database">Database<\/h2>/);
    expect(page).toContain('CREATE INDEX CONCURRENTLY ON public.orders (customer)');
    expect(page).not.toContain(PG_PASSWORD);
  }, 30_000);

  it('stress watches it over its phase the same way', async () => {
    const okBefore = seen.ok;
    const scenario = join(dir, 'orders.mjs');
    writeFileSync(
      scenario,
      `import { User, task } from 'fiml-perf';
export default class Buyer extends User {
  static tasks = [task(1, 'orders')];
  async orders() { await this.client.get('/orders?c=7', { name: 'orders' }); }
}
`,
    );
    const json = join(dir, 'peak.json');
    const run = await runCli([
      'stress',
      'peak',
      '-f',
      scenario,
      '--host',
      service.url,
      '--normal',
      '20',
      '-t',
      '2s',
      '-q',
      '--postgres',
      server.url,
      '--json',
      json,
    ]);
    expect([0, 1], run.stderr).toContain(run.code);
    const result = JSON.parse(readFileSync(json, 'utf8')) as TargetedResult & {
      database: DatabaseSection;
    };
    const database = result.database;
    expect(database.source).toBe('service');
    const ok = seen.ok - okBefore;
    expect(ok).toBe(result.totals.requests);
    expect(database.statements.find((s) => s.query === ORDERS_BY_CUSTOMER)?.calls).toBe(ok);
    expect(database.tables.find((t) => t.table === 'public.orders')?.seqScans).toBe(ok);
    // The phase's health probes ended with it: nothing kept the service's sessions busy.
    expect(database.problems).toEqual([]);
  }, 30_000);

  it('refuses a wrong password in one line, exit 2, before any request, the password nowhere', async () => {
    const before = seen.requests;
    const wrong = server.url.replace(`:${PG_PASSWORD}@`, ':WRONG@');
    const json = join(dir, 'wrong.json');
    const run = await runCli([
      'load',
      `${service.url}/orders?c=1`,
      '-c',
      '2',
      '-d',
      '3s',
      '-q',
      '--postgres',
      wrong,
      '--json',
      json,
    ]);
    expectUserError(
      run,
      /^fiml-perf: PostgreSQL at postgres:\/\/fiml:\*\*\*@127\.0\.0\.1:\d+\/fiml refused user "fiml": wrong password; fix the password in the URL$/,
    );
    expect(run.stdout + run.stderr).not.toContain('WRONG');
    expect(seen.requests).toBe(before);
  });
});
