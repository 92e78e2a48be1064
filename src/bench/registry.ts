/** Options of one benchmark. */
export interface BenchOptions {
  /** Runs once before the benchmark's samples; its result is passed to `fn`. */
  readonly setup?: () => unknown;
  /** Runs once after the samples. */
  readonly teardown?: (context: unknown) => unknown;
  /** Sampling time after warm-up, in ms. @default 1000 (or --time) */
  readonly timeMs?: number;
  /** Fewest samples, whatever the time. @default 10 */
  readonly minSamples?: number;
  /** Change past which `compare` calls a slowdown a regression. @default 0.10 */
  readonly threshold?: number;
  /**
   * What a sample measures. `cpu`: this process's CPU time, which leaves out the time it was not
   * running (other jobs, a virtual machine's steal time), the main noise on shared CI machines.
   * `wall`: elapsed time, which includes waiting (I/O, timers). @default 'cpu' for synchronous
   * functions, 'wall' for async ones (their cost is mostly waiting)
   */
  readonly clock?: Clock;
}

/** The clock a benchmark's samples were timed with. */
export type Clock = 'cpu' | 'wall';

export type BenchFunction = (context: never) => unknown;

export interface BenchDefinition {
  readonly group: string;
  readonly name: string;
  /** `group > name`, unique in a run. */
  readonly id: string;
  readonly file: string;
  readonly fn: BenchFunction;
  readonly options: BenchOptions;
}

/** Where bench()/group() calls land while a file loads; set by the loader, on globalThis so that
 * every copy of the module (dist or source) reaches the same one. */
const COLLECTOR = Symbol.for('fiml-perf.bench.collector');

interface Collector {
  readonly file: string;
  readonly groups: string[];
  readonly found: BenchDefinition[];
}

type Global = typeof globalThis & { [COLLECTOR]?: Collector };

/**
 * Collects the benchmarks a file registers while `load` runs.
 * @throws Error when called re-entrantly
 */
export async function collect(
  file: string,
  load: () => Promise<unknown>,
): Promise<BenchDefinition[]> {
  const g = globalThis as Global;
  if (g[COLLECTOR]) throw new Error('benchmark files are loaded one at a time');
  const collector: Collector = { file, groups: [], found: [] };
  g[COLLECTOR] = collector;
  try {
    await load();
  } finally {
    g[COLLECTOR] = undefined;
  }
  return collector.found;
}

function current(): Collector {
  const collector = (globalThis as Global)[COLLECTOR];
  if (!collector)
    throw new Error(
      'bench() and group() register benchmarks only inside a bench file run by fiml-perf bench',
    );
  return collector;
}

/** Groups benchmarks under a name (`group('cache', () => { bench(...) })`). */
export function group(name: string, body: () => void): void {
  const collector = current();
  collector.groups.push(name);
  try {
    body();
  } finally {
    collector.groups.pop();
  }
}

/**
 * Registers a benchmark. `fn` (sync or async) is timed; return what it computes, or pass it to
 * `doNotOptimize`, so the work is not optimised away.
 */
export function bench<C = undefined>(
  name: string,
  fn: (context: C) => unknown,
  options: BenchOptions & { setup?: () => C | Promise<C> } = {},
): void {
  const collector = current();
  const groupName = collector.groups.join(' > ');
  const id = groupName ? `${groupName} > ${name}` : name;
  if (collector.found.some((b) => b.id === id))
    throw new Error(`benchmark '${id}' is registered twice`);
  collector.found.push({
    group: groupName,
    name,
    id,
    file: collector.file,
    fn: fn as BenchFunction,
    options,
  });
}

let sink: unknown;

/** Keeps a value alive so the computation that made it cannot be removed as dead code. */
export function doNotOptimize<T>(value: T): T {
  sink = value;
  return value;
}
