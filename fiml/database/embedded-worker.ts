// The embedded PostgreSQL's thread: PGlite (PostgreSQL compiled to WASM) runs a query on the
// thread that calls it, start to end; here, off FIML's event loop, serving PostgreSQL's wire
// protocol on loopback so FIML talks to it exactly as to a real server (issue 27).
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { pg_stat_statements } from '@electric-sql/pglite/contrib/pg_stat_statements';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedWorkerData {
  /** A data folder dumped earlier (tar), loaded instead of a fresh initdb; null for none. */
  readonly template: string | null;
  readonly maxConnections: number;
}

export type ToEmbedded = { type: 'dump' } | { type: 'close' };
export type FromEmbedded =
  | { type: 'ready'; port: number; fromTemplate: boolean }
  | { type: 'dumped'; data: Uint8Array }
  | { type: 'failed'; message: string }
  | { type: 'closed' };

const port = parentPort;
if (!port) throw new Error('embedded-worker runs as a worker thread');
const data = workerData as EmbeddedWorkerData;
const post = (message: FromEmbedded, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

// With minimal WAL, filling a table truncated in the same transaction writes no WAL, and few
// segments are kept: the saved data folder holds the data, not 150 MB of old WAL.
const postgresqlconf = [
  'wal_level = minimal',
  'max_wal_senders = 0',
  'min_wal_size = 32MB',
  'max_wal_size = 64MB',
];

async function open(): Promise<{ db: PGlite; fromTemplate: boolean }> {
  const extensions = { pg_stat_statements };
  if (data.template) {
    try {
      const blob = new Blob([readFileSync(data.template)]);
      return {
        db: await PGlite.create({ extensions, postgresqlconf, loadDataDir: blob }),
        fromTemplate: true,
      };
    } catch {
      // A template that is missing or does not load (another PGlite version) is made again.
    }
  }
  return { db: await PGlite.create({ extensions, postgresqlconf }), fromTemplate: false };
}

try {
  const { db, fromTemplate } = await open();
  await db.exec('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: data.maxConnections,
  });
  await server.start();
  const address = server.getServerConn();
  port.on('message', async (message: ToEmbedded) => {
    try {
      if (message.type === 'dump') {
        await db.exec('CHECKPOINT');
        const dumped = new Uint8Array(await (await db.dumpDataDir('none')).arrayBuffer());
        post({ type: 'dumped', data: dumped }, [dumped.buffer as ArrayBuffer]);
      } else {
        await server.stop();
        await db.close();
        post({ type: 'closed' });
      }
    } catch (error) {
      post({ type: 'failed', message: (error as Error).message });
    }
  });
  post({ type: 'ready', port: Number(address.slice(address.lastIndexOf(':') + 1)), fromTemplate });
} catch (error) {
  post({ type: 'failed', message: (error as Error).message });
}
