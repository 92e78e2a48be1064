/**
 * What reading a database's window costs (issue 27): the time of `snapshot()`, of
 * `snapshot({ settleMs })` with no other session open, and of `databaseWindow()` (the difference
 * and five plans), on a private PostgreSQL holding `tables` tables and `statements` distinct
 * normalised statements in pg_stat_statements. They run at the window's edges only.
 *
 *   node --import tsx scripts/database-window-cost.ts [tables] [statements] [repeats]
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { databaseWindow, openDatabaseWatch } from '../src/database/index.js';
import { startPostgres } from '../tests/helpers/postgres.js';

const [tables = 50, statements = 500, repeats = 20] = process.argv.slice(2).map(Number);

const server = await startPostgres();
try {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  for (let t = 0; t < tables; t++) {
    await client.query(
      `CREATE TABLE t${t} (id serial PRIMARY KEY, a int, b int, c text);
       INSERT INTO t${t} (a, b, c) SELECT g % 100, g % 7, 'x' || g FROM generate_series(1, 2000) g;`,
    );
  }
  await client.query('ANALYZE');
  // The setup's statements out, so the slowest five are queries with plans.
  const admin = new pg.Client(server.admin);
  await admin.connect();
  await admin.query('SELECT pg_stat_statements_reset()');
  await admin.end();
  // Distinct shapes: each (table, column list, filter column) normalises to its own statement.
  const columns = ['id', 'a', 'b', 'c', 'id, a', 'a, b', 'b, c', 'id, c', '*', 'count(*)'];
  for (let s = 0; s < statements; s++) {
    const t = s % tables;
    const list = columns[Math.floor(s / tables) % columns.length];
    const filter = ['a', 'b'][Math.floor(s / (tables * columns.length)) % 2];
    await client.query(
      `SELECT ${list} FROM t${t} WHERE ${filter} = $1 ${list === 'count(*)' ? '' : 'LIMIT 5'}`,
      [s % 100],
    );
  }
  await client.end();

  const watch = await openDatabaseWatch(server.url, { source: 'service' });
  const time = async (what: () => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const started = performance.now();
      await what();
      samples.push(performance.now() - started);
    }
    samples.sort((x, y) => x - y);
    const at = (q: number) =>
      samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
    return `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, max ${samples.at(-1)!.toFixed(1)} ms`;
  };
  const start = await watch.snapshot();
  console.log(
    `PostgreSQL ${watch.serverVersion}, ${tables} tables, ${start.statements.length} statements in pg_stat_statements, ${repeats} repeats`,
  );
  console.log(`snapshot():                   ${await time(() => watch.snapshot())}`);
  console.log(
    `snapshot({ settleMs: 5000 }): ${await time(() => watch.snapshot({ settleMs: 5000 }))}`,
  );
  const end = await watch.snapshot();
  const section = await databaseWindow(watch, { ...start, statements: [] }, end);
  const planned = section.statements.filter((s) => s.plan !== null).length;
  console.log(`(${planned} statements planned, ${section.suggestions.length} suggestions)`);
  // Every statement differs between the two: the window holds them all.
  console.log(
    `databaseWindow() (5 plans):   ${await time(() => databaseWindow(watch, { ...start, statements: [] }, end))}`,
  );
  await watch.close();
} finally {
  await server.stop();
}
