/**
 * Heap snapshots: taken over the DevTools protocol, summarised by constructor (what DevTools'
 * Summary view shows: objects and bytes by class), and compared across snapshots to find the
 * classes that grew in every one.
 */
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Inspector } from './inspector.js';

/** Objects of one constructor (or kind of heap object) in a snapshot. */
export interface ConstructorTotal {
  readonly count: number;
  /** Shallow size: the objects' own bytes, not what they keep alive. */
  readonly bytes: number;
}

/** Objects by constructor in one snapshot, and its totals. */
export interface SnapshotSummary {
  readonly byConstructor: ReadonlyMap<string, ConstructorTotal>;
  readonly nodes: number;
  readonly bytes: number;
}

/** How one constructor's objects changed across the snapshots, first to last. */
export interface ConstructorGrowth {
  readonly name: string;
  readonly counts: readonly number[];
  readonly bytes: readonly number[];
  readonly growthCount: number;
  readonly growthBytes: number;
  /** Its bytes grew from each snapshot to the next, by 5% or more in all: the mark of a leak. */
  readonly grewEveryTime: boolean;
}

/**
 * Takes a heap snapshot of the process (a full GC, then every live object: the process is
 * paused while V8 writes it) into `file`, the `.heapsnapshot` format: each chunk goes to disk as
 * it arrives (a snapshot can be hundreds of MB), into a temporary file renamed when complete.
 * @returns the bytes written
 */
export async function takeHeapSnapshot(inspector: Inspector, file: string): Promise<number> {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const out = createWriteStream(temporary);
  let bytes = 0;
  let failed: Error | undefined;
  out.on('error', (error) => {
    failed = error;
  });
  const off = inspector.on<{ chunk: string }>('HeapProfiler.addHeapSnapshotChunk', (p) => {
    bytes += Buffer.byteLength(p.chunk);
    out.write(p.chunk);
  });
  try {
    await inspector.send('HeapProfiler.enable');
    // V8 writes a large heap slowly (a GB takes minutes); the service is paused meanwhile.
    await inspector.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, 10 * 60_000);
  } catch (error) {
    out.destroy();
    rmSync(temporary, { force: true });
    throw error;
  } finally {
    off();
  }
  await new Promise<void>((resolve) => out.end(resolve));
  if (failed) {
    rmSync(temporary, { force: true });
    throw failed;
  }
  renameSync(temporary, file);
  return bytes;
}

/** Heap object kinds grouped as DevTools' Summary view groups them. */
const GROUPS: Record<string, string | undefined> = {
  array: '(array)',
  string: '(string)',
  'concatenated string': '(string)',
  'sliced string': '(string)',
  code: '(compiled code)',
  closure: '(closure)',
  regexp: '(regexp)',
  number: '(number)',
  bigint: '(bigint)',
  symbol: '(symbol)',
  hidden: '(system)',
  'object shape': '(system)',
};

interface SnapshotJson {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: readonly string[];
      readonly node_types: readonly [readonly string[], ...unknown[]];
    };
  };
  readonly nodes: readonly number[];
  readonly strings: readonly string[];
}

/**
 * Objects and shallow bytes by constructor: plain objects by their constructor's name, the rest
 * by kind (`(array)`, `(string)`, `(closure)`, `(compiled code)`, `(system)`...).
 * @throws Error when the text is not a heap snapshot
 */
export function summariseSnapshot(text: string): SnapshotSummary {
  const json = JSON.parse(text) as SnapshotJson;
  const fields = json.snapshot?.meta?.node_fields;
  const types = json.snapshot?.meta?.node_types?.[0];
  if (!Array.isArray(fields) || !Array.isArray(types) || !Array.isArray(json.nodes))
    throw new Error('not a V8 heap snapshot (no snapshot.meta.node_fields or nodes)');
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const byConstructor = new Map<string, { count: number; bytes: number }>();
  let nodes = 0;
  let bytes = 0;
  for (let i = 0; i < json.nodes.length; i += stride) {
    const type = types[json.nodes[i + typeAt] as number] as string;
    if (type === 'synthetic') continue;
    const size = json.nodes[i + sizeAt] as number;
    const name = GROUPS[type] ?? (json.strings[json.nodes[i + nameAt] as number] || '(anonymous)');
    const total = byConstructor.get(name) ?? { count: 0, bytes: 0 };
    total.count += 1;
    total.bytes += size;
    byConstructor.set(name, total);
    nodes += 1;
    bytes += size;
  }
  return { byConstructor, nodes, bytes };
}

/** Growing every time counts when the last snapshot holds this much more than the first (5%). */
const MIN_GROWTH = 0.05;

/**
 * Every constructor's counts and bytes across the snapshots, those that grew in every one first,
 * then by bytes grown.
 */
export function constructorGrowth(summaries: readonly SnapshotSummary[]): ConstructorGrowth[] {
  const names = new Set(summaries.flatMap((s) => [...s.byConstructor.keys()]));
  return [...names]
    .map((name) => {
      const counts = summaries.map((s) => s.byConstructor.get(name)?.count ?? 0);
      const bytes = summaries.map((s) => s.byConstructor.get(name)?.bytes ?? 0);
      return {
        name,
        counts,
        bytes,
        growthCount: (counts.at(-1) ?? 0) - (counts[0] ?? 0),
        growthBytes: (bytes.at(-1) ?? 0) - (bytes[0] ?? 0),
        grewEveryTime:
          bytes.length > 1 &&
          bytes.every((b, i) => i === 0 || b > (bytes[i - 1] as number)) &&
          (bytes.at(-1) as number) >= (bytes[0] as number) * (1 + MIN_GROWTH),
      };
    })
    .sort(
      (a, b) => Number(b.grewEveryTime) - Number(a.grewEveryTime) || b.growthBytes - a.growthBytes,
    );
}
