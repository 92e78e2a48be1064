import { describe, expect, it } from 'vitest';
import { constructorGrowth, summariseSnapshot } from '../../src/profile/index.js';

/** A hand-built snapshot: nodes as [type, name, id, self_size, edge_count], V8's layout. */
function snapshot(nodes: Array<[string, string, number]>): string {
  const types = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'number', 'synthetic'];
  const strings: string[] = [];
  const at = (s: string) => (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1);
  return JSON.stringify({
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
        node_types: [types, 'string', 'number', 'number', 'number'],
      },
    },
    nodes: nodes.flatMap(([type, name, size], i) => [types.indexOf(type), at(name), i, size, 0]),
    edges: [],
    strings,
  });
}

describe('heap snapshots by constructor', () => {
  it('groups objects by constructor and the rest by kind, roots left out', () => {
    const s = summariseSnapshot(
      snapshot([
        ['synthetic', '(GC roots)', 0],
        ['object', 'Kept', 32],
        ['object', 'Kept', 32],
        ['array', '', 10_016],
        ['string', 'hello', 24],
        ['closure', 'keep', 64],
        ['hidden', 'system / Context', 40],
      ]),
    );
    expect(Object.fromEntries(s.byConstructor)).toEqual({
      Kept: { count: 2, bytes: 64 },
      '(array)': { count: 1, bytes: 10_016 },
      '(string)': { count: 1, bytes: 24 },
      '(closure)': { count: 1, bytes: 64 },
      '(system)': { count: 1, bytes: 40 },
    });
    expect(s.nodes).toBe(6);
    expect(s.bytes).toBe(10_208);
  });

  it('flags what grew in every snapshot by 5% or more; what grew once, or by a hair, is not', () => {
    const take = (kept: number, buffers: number, numbers: number) =>
      summariseSnapshot(
        snapshot([
          ...Array.from({ length: kept }, () => ['object', 'Kept', 32] as [string, string, number]),
          ...Array.from(
            { length: buffers },
            () => ['object', 'Buffer', 100] as [string, string, number],
          ),
          ...Array.from({ length: numbers }, () => ['number', '', 16] as [string, string, number]),
        ]),
      );
    const growth = constructorGrowth([take(10, 5, 1000), take(20, 9, 1001), take(30, 5, 1002)]);
    const of = (name: string) => growth.find((g) => g.name === name);
    expect(growth[0]?.name).toBe('Kept');
    expect(of('Kept')).toMatchObject({
      counts: [10, 20, 30],
      growthCount: 20,
      growthBytes: 640,
      grewEveryTime: true,
    });
    expect(of('Buffer')?.grewEveryTime).toBe(false);
    expect(of('(number)')?.grewEveryTime).toBe(false);
    expect(() => summariseSnapshot('{"nodes": []}')).toThrow(/not a V8 heap snapshot/);
  });
});

describe('taking a heap snapshot', () => {
  it('streams each chunk to disk as it arrives, and renames the file when it is whole', async () => {
    const { mkdtempSync, existsSync, readdirSync, readFileSync, statSync } = await import(
      'node:fs'
    );
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { takeHeapSnapshot } = await import('../../src/profile/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-snapshot-'));
    const file = join(dir, 'heap-1.heapsnapshot');
    const chunk = 'x'.repeat(64 * 1024);
    let listener: ((params: { chunk: string }) => void) | undefined;
    const onDisk: number[] = [];
    // What a service's inspector does: chunk events, then the answer to takeHeapSnapshot.
    const inspector = {
      on: (_method: string, l: (params: { chunk: string }) => void) => {
        listener = l;
        return () => {
          listener = undefined;
        };
      },
      send: async (method: string) => {
        if (method !== 'HeapProfiler.takeHeapSnapshot') return {};
        const written = () => {
          const temporary = readdirSync(dir).find((f) => f.endsWith('.tmp'));
          return temporary ? statSync(join(dir, temporary)).size : 0;
        };
        for (let i = 0; i < 20; i++) {
          listener?.({ chunk });
          // Give the stream turns until the chunk is on disk (up to a second: a fixed 5 ms was
          // too short on a loaded machine), then see what reached it before the snapshot ended.
          const deadline = Date.now() + 1000;
          while (written() < (i + 1) * chunk.length && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 5));
          onDisk.push(written());
        }
        return {};
      },
    };
    const bytes = await takeHeapSnapshot(inspector as never, file);
    expect(bytes).toBe(20 * chunk.length);
    // Written while it was being taken, not joined in memory and written at the end.
    expect(onDisk.at(-2)).toBeGreaterThanOrEqual(18 * chunk.length);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8').length).toBe(20 * chunk.length);
    expect(readdirSync(dir)).toEqual(['heap-1.heapsnapshot']);
  });
});
