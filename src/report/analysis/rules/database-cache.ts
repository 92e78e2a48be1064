import type { AnalysisContext } from '../context.js';
import { count, evidence, pct } from '../format.js';
import { THRESHOLDS } from '../thresholds.js';
import type { Finding } from '../types.js';

/**
 * A buffer cache hit ratio under `THRESHOLDS.dbCacheHitRatio` over the run's window, judged only
 * with enough blocks read (`THRESHOLDS.dbCacheMinBlocksRead`) that it is not a cold start's few.
 */
export function databaseCache(context: AnalysisContext): Finding[] {
  const database = context.result.database;
  const cache = database?.cache;
  if (!database || !cache || cache.hitRatio === null) return [];
  if (cache.hitRatio >= THRESHOLDS.dbCacheHitRatio) return [];
  if (cache.blocksRead < THRESHOLDS.dbCacheMinBlocksRead) return [];
  const large = [...database.tables].sort((a, b) => b.seqRowsRead - a.seqRowsRead)[0];
  return [
    {
      id: 'database-cache-hit-ratio',
      severity: 'warning',
      title: `Database buffer cache hit ratio ${pct(cache.hitRatio)} is below ${pct(THRESHOLDS.dbCacheHitRatio)}`,
      detail: `During the run the database (${database.database}) read ${count(cache.blocksRead)} blocks from outside its shared buffers (${count(cache.blocksRead * 8)} kB at 8 kB a block) against ${count(cache.blocksHit)} found in them: a hit ratio of ${pct(cache.hitRatio)}. Reads past the buffers go to the OS cache or the disk and cost latency under load.${large && large.seqRowsRead > 0 ? ` The table read most sequentially was ${large.table} (${count(large.seqRowsRead)} rows in ${count(large.seqScans)} scans).` : ''}`,
      evidence: [
        evidence.share('buffer cache hit ratio', cache.hitRatio),
        evidence.count('blocks read', cache.blocksRead),
        evidence.count('blocks hit', cache.blocksHit),
        evidence.share('threshold', THRESHOLDS.dbCacheHitRatio),
      ],
      recommendation: [
        "Look for sequential scans of large tables (the report's Database section, Scans by table): an index reads a few blocks where a scan reads them all",
        "Check shared_buffers against the working set (pg_settings; a quarter of the machine's memory is the usual start)",
        'A first run after a restart starts cold: compare with a second run of the same load',
      ],
      action: {
        text: `Raise the database's buffer cache hit ratio (${pct(cache.hitRatio)})`,
        doc: 'docs/database.md',
      },
    },
  ];
}
