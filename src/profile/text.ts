/** What the profile commands print: the hot functions and the heap snapshots, as text tables. */
import { textTable } from '../util/text-table.js';
import type { FunctionTime } from './cpu-profile.js';
import type { ConstructorGrowth } from './heap-snapshot.js';

/** Microseconds as milliseconds, one decimal below 100 ms. */
export const ms = (us: number) => (us / 1000).toFixed(us >= 100_000 ? 0 : 1);

/** A share as a percentage with one decimal; '-' of nothing. */
export const pct = (part: number, whole: number) =>
  whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '-';

/** The hot functions as a table, by attributed self time. */
export function hotTable(
  functions: readonly FunctionTime[],
  busyUs: number,
  place: (f: FunctionTime) => string,
  top: number,
): string {
  const rows = functions
    .filter((f) => f.class !== 'idle' && f.attributedSelfUs > 0)
    .slice(0, top)
    .map((f) => [
      ms(f.attributedSelfUs),
      pct(f.attributedSelfUs, busyUs),
      ms(f.selfUs),
      ms(f.totalUs),
      f.class,
      f.name,
      place(f),
    ]);
  return textTable(
    ['attributed ms', '% busy', 'self ms', 'total ms', 'class', 'function', 'where'],
    rows,
    { left: (i) => i >= 4 },
  );
}

/** The classes whose objects grew most across the heap snapshots, those that grew every time first. */
export function snapshotTable(
  taken: ReadonlyArray<{ readonly t: number; readonly requests: number; readonly pauseMs: number }>,
  classes: readonly ConstructorGrowth[],
  top: number,
): string {
  const mb = (b: number) => (b / 1048576).toFixed(2);
  const rows = classes
    .filter((c) => c.growthBytes > 0)
    .slice(0, top)
    .map((c) => [
      c.grewEveryTime ? 'yes' : '',
      `${c.growthBytes >= 0 ? '+' : ''}${mb(c.growthBytes)}`,
      `${c.growthCount >= 0 ? '+' : ''}${c.growthCount}`,
      c.bytes.map(mb).join(' > '),
      c.name,
    ]);
  return [
    `Heap snapshots: ${taken.map((s, i) => `${i + 1} at ${s.t}s (${s.requests} requests, ${s.pauseMs} ms)`).join(', ')}`,
    rows.length
      ? textTable(['every time', 'grew MB', 'objects', 'MB by snapshot', 'constructor'], rows, {
          left: (i) => i >= 4,
        })
      : 'No class grew between the first snapshot and the last.',
  ].join('\n');
}
