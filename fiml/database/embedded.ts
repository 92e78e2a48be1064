import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { workerUrl } from '../../src/util/worker-url.js';
import type { EmbeddedWorkerData, FromEmbedded, ToEmbedded } from './embedded-worker.js';
import { DatabaseError } from './market-store.js';
import { MIGRATIONS } from './migrations.js';

/** A PostgreSQL running inside this process (PGlite on its own thread), reachable by URL. */
export interface EmbeddedPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  readonly url: string;
  /** Whether it started from a saved data folder rather than an empty one. */
  readonly fromTemplate: boolean;
  /** Saves its data folder as the template later starts load (atomically). */
  saveTemplate(): Promise<void>;
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The template's name: what makes two databases' data the same (seed, day). */
  readonly key: string;
  /** Where templates are kept; null keeps none. @default $XDG_CACHE_HOME/fiml-perf or ~/.cache/fiml-perf */
  readonly cacheDir?: string | null;
  /** @default 32 */
  readonly maxConnections?: number;
}

function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'fiml-perf');
}

function next(worker: Worker): Promise<FromEmbedded> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromEmbedded) => {
      worker.off('error', onError);
      resolve(message);
    };
    const onError = (error: Error) => {
      worker.off('message', onMessage);
      reject(error);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
  });
}

/** How long another process may hold the template's lock before it is taken for dead. */
const LOCK_STALE_MS = 120_000;

/**
 * Takes the lock on making `template`, or waits while another process makes it (two FIMLs
 * started at once fill the data once, not twice). Returns whether this process holds the lock.
 */
async function lockTemplate(template: string, dir: string): Promise<boolean> {
  const lock = `${template}.lock`;
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    return false;
  }
  for (;;) {
    if (existsSync(template)) return false;
    try {
      closeSync(openSync(lock, 'wx'));
      return true;
    } catch {
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue; // released between the two calls
      }
      if (age > LOCK_STALE_MS) rmSync(lock, { force: true });
      else await sleep(200);
    }
  }
}

/** Removes templates over a day old: their key holds their day, so no start loads them again. */
function pruneTemplates(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (/^pglite-.*\.tar$/.test(name) && Date.now() - statSync(path).mtimeMs > 86_400_000)
      rmSync(path, { force: true });
  }
}

/**
 * Starts the embedded PostgreSQL. Its data is generated once per template key and kept in the
 * cache folder (a tar of PGlite's data folder): later starts load it in about a second instead
 * of filling 400k rows again. @throws DatabaseError
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const dir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  // The schema's text names the template too: data made by another schema is never loaded.
  const schema = createHash('sha256')
    .update(MIGRATIONS.map((m) => m.sql).join('\n'))
    .digest('hex')
    .slice(0, 12);
  const template = dir === null ? null : join(dir, `pglite-${schema}-${options.key}.tar`);
  const locked = template !== null && dir !== null && (await lockTemplate(template, dir));
  const unlock = () => {
    if (locked && template) rmSync(`${template}.lock`, { force: true });
  };
  const workerData: EmbeddedWorkerData = {
    template,
    maxConnections: options.maxConnections ?? 32,
  };
  const worker = new Worker(workerUrl('embedded-worker', import.meta.url), { workerData });
  let ready: FromEmbedded;
  try {
    ready = await next(worker);
  } catch (error) {
    unlock();
    await worker.terminate();
    throw new DatabaseError(`the embedded PostgreSQL did not start: ${(error as Error).message}`);
  }
  if (ready.type !== 'ready') {
    unlock();
    await worker.terminate();
    throw new DatabaseError(
      `the embedded PostgreSQL did not start: ${ready.type === 'failed' ? ready.message : ready.type}`,
    );
  }
  // Its thread must not keep a finished FIML process alive.
  worker.unref();
  const send = async (message: ToEmbedded): Promise<FromEmbedded> => {
    worker.ref();
    try {
      const answer = next(worker);
      worker.postMessage(message);
      return await answer;
    } finally {
      worker.unref();
    }
  };
  let closed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${ready.port}/postgres`,
    fromTemplate: ready.fromTemplate,
    async saveTemplate() {
      if (template === null || dir === null || !locked) return;
      try {
        const answer = await send({ type: 'dump' });
        if (answer.type !== 'dumped') return;
        const temporary = `${template}.${process.pid}.tmp`;
        writeFileSync(temporary, answer.data);
        renameSync(temporary, template);
        pruneTemplates(dir);
      } catch {
        // No template (a read-only home, a full disk): every start fills its own data.
      } finally {
        unlock();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      unlock();
      try {
        const timeout = setTimeout(() => worker.terminate(), 5_000);
        await send({ type: 'close' }).catch(() => {});
        clearTimeout(timeout);
      } finally {
        await worker.terminate();
        if (worker.threadId !== -1) await once(worker, 'exit').catch(() => {});
      }
    },
  };
}
