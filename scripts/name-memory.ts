/**
 * Bytes a request name costs in a run's recorder, by how many requests it had: heap plus array
 * buffers after a full collection, over 5,000 names with latencies of 0.3 to 20 ms, each count
 * measured in a fresh process (memory freed by one measurement would blur the next).
 *
 *   node --import tsx scripts/name-memory.ts
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { StatsRecorder } from '../src/stats/index.js';

const NAMES = 5000;

function bytesPerName(requestsPerName: number, gc: () => void): number {
  gc();
  const before = process.memoryUsage();
  const recorder = new StatsRecorder(0, { maxNames: NAMES });
  let x = 1;
  for (let i = 0; i < NAMES; i++)
    for (let k = 0; k < requestsPerName; k++) {
      x = (x * 48_271) % 2_147_483_647;
      recorder.record('GET', `/item/${i}`, 300 + (x % 20_000), 100);
    }
  gc();
  const after = process.memoryUsage();
  // Read the recorder after measuring, so it is still alive when measured.
  if (recorder.requests !== NAMES * requestsPerName) throw new Error('lost requests');
  return (after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers) / NAMES;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc) console.log(Math.round(bytesPerName(Number(process.argv[2]), gc)));
else {
  console.log('| requests per name | bytes per name |');
  console.log('| ---: | ---: |');
  for (const n of [1, 10, 64, 65, 1000]) {
    const args = ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), String(n)];
    const bytes = Number(execFileSync(process.execPath, args, { encoding: 'utf8' }).trim());
    console.log(`| ${n} | ${bytes.toLocaleString('en-US')} |`);
  }
}
