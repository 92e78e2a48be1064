import type { RunResult } from '../stats/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/** Writes the versioned result JSON atomically. */
export function writeJson(result: RunResult, path: string): void {
  writeFileAtomic(path, `${JSON.stringify(result, null, 2)}\n`);
}
