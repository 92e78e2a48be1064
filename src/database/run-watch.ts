import { databaseWindow } from './database-window.js';
import type { DatabaseSnapshot } from './snapshot.js';
import type { DatabaseSection } from './types.js';
import { openDatabaseWatch, STATS_IDLE_FLUSH_MS } from './watch.js';

/** The database a run watches: a snapshot at its window's start, the section at its end. */
export interface RunDatabase {
  /** Password redacted. */
  readonly url: string;
  readonly source: 'fiml' | 'service';
  /** One line for the run's log: what is watched, and whether statements are available. */
  readonly describe: string;
  /** Takes the window's first snapshot (again after a reset). */
  begin(): Promise<void>;
  /** Takes the last snapshot and returns the window's section. */
  end(windowS?: number): Promise<DatabaseSection>;
  close(): Promise<void>;
}

export interface RunDatabaseOptions {
  readonly source: 'fiml' | 'service';
  /**
   * How long the end may wait for other sessions' table counts (PostgreSQL publishes an idle
   * session's counts up to 10 s late; watch.ts). @default STATS_IDLE_FLUSH_MS + 1 s
   */
  readonly settleMs?: number;
}

/**
 * Opens the watch before the load, so a wrong URL or password stops the run before it sends
 * anything. @throws PerfError FP_ERR_DATABASE
 */
export async function watchRunDatabase(
  url: string,
  options: RunDatabaseOptions,
): Promise<RunDatabase> {
  // FIML's own database may get pg_stat_statements created; a user's is never changed.
  const watch = await openDatabaseWatch(url, {
    source: options.source,
    createExtension: options.source === 'fiml',
  });
  const settleMs = options.settleMs ?? STATS_IDLE_FLUSH_MS + 1000;
  let start: DatabaseSnapshot | undefined;
  return {
    url: watch.url,
    source: options.source,
    describe: `${options.source === 'fiml' ? "FIML's own database" : 'the database'} ${watch.url} (PostgreSQL ${watch.serverVersion})${watch.statementsAvailable ? '' : `: ${watch.statementsNote}`}`,
    async begin() {
      start = await watch.snapshot();
    },
    async end(windowS) {
      const first = start ?? (await watch.snapshot());
      const last = await watch.snapshot({ settleMs });
      return databaseWindow(watch, first, last, windowS === undefined ? {} : { windowS });
    },
    close: () => watch.close(),
  };
}
