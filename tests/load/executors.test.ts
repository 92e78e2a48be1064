import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createExecutor,
  type ExecutorConfig,
  type LoadTarget,
  parseStages,
  type Stage,
} from '../../src/load/index.js';

/** Records what an executor asks for, without any HTTP. */
class FakeTarget implements LoadTarget {
  users = 0;
  maxUsers = 0;
  readonly counts: number[] = [];
  iterations: number[] = [];
  constructor(private readonly capacity = Number.POSITIVE_INFINITY) {}
  setUsers(count: number): void {
    this.users = count;
    this.maxUsers = Math.max(this.maxUsers, count);
    this.counts.push(count);
  }
  startIteration(intended: number): boolean {
    if (this.iterations.length >= this.capacity) return false;
    this.iterations.push(intended);
    return true;
  }
  async stop(): Promise<void> {}
}

// On vitest's fake clock (timers and the global performance.now, given to the executor as its
// clock): a late tick on a busy machine cannot change what the shapes below ask for.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs an executor to its end on the fake clock, 10 ms at a time. */
async function drive(config: ExecutorConfig, target = new FakeTarget()) {
  let dropped = 0;
  const lags: number[] = [];
  const startedAt = performance.now();
  let done = false;
  const running = createExecutor(config)
    .run({
      target,
      signal: new AbortController().signal,
      startedAt,
      now: () => performance.now(),
      recordLag: (us) => lags.push(us),
      dropped: () => dropped++,
    })
    .then(() => {
      done = true;
    });
  while (!done) await vi.advanceTimersByTimeAsync(10);
  await running;
  return { target, dropped, lags, startedAt };
}

describe('closed executors', () => {
  it('ramps to the user count at the spawn rate and holds it', async () => {
    const { target } = await drive({
      type: 'constant-users',
      users: 12,
      spawnRate: 40,
      durationMs: 600,
    });
    expect(target.maxUsers).toBe(12);
    expect(target.counts.at(-1)).toBe(12);
    // Spawned one by one (never more than a few per 50 ms tick at 40/s), starting with one.
    expect(target.counts[0]).toBe(1);
    const steps = target.counts.slice(1).map((c, i) => c - (target.counts[i] as number));
    expect(Math.max(...steps)).toBeLessThanOrEqual(4);
  });

  it('follows stages up and down', async () => {
    const stages = parseStages('200ms:10,200ms:10,200ms:0') as Stage[];
    const { target } = await drive({ type: 'ramping-users', stages, startUsers: 0 });
    expect(target.maxUsers).toBe(10);
    expect(Math.min(...target.counts.slice(target.counts.indexOf(10)))).toBeLessThanOrEqual(1);
  });
});

describe('open executors', () => {
  it('starts exactly rate x duration iterations, each at its own scheduled time', async () => {
    const { target, dropped, lags, startedAt } = await drive({
      type: 'constant-arrival-rate',
      rate: 1000,
      durationMs: 400,
      maxUsers: 10_000,
    });
    // Arrivals at 0, 1, 2, ... 399 ms: counted by schedule, not by how fast the loop ran.
    expect(target.iterations.length).toBe(400);
    expect(dropped).toBe(0);
    expect(lags.length).toBe(400);
    const offsets = target.iterations.map((t) => t - startedAt);
    for (const [i, offset] of offsets.entries()) expect(offset).toBeCloseTo(i, 6);
  });

  it('counts iterations it cannot start as dropped', async () => {
    const { target, dropped } = await drive(
      { type: 'constant-arrival-rate', rate: 500, durationMs: 200, maxUsers: 1 },
      new FakeTarget(30),
    );
    expect(target.iterations.length).toBe(30);
    expect(dropped).toBe(100 - 30);
  });

  it('ramps the arrival rate linearly: the count is the area under the rate', async () => {
    const stages = parseStages('500ms:1000') as Stage[];
    const { target, startedAt } = await drive({
      type: 'ramping-arrival-rate',
      stages,
      startRate: 0,
      maxUsers: 1e6,
    });
    // 0 -> 1000/s over 0.5 s: 250 iterations, denser towards the end.
    expect(target.iterations.length).toBeGreaterThanOrEqual(249);
    expect(target.iterations.length).toBeLessThanOrEqual(251);
    // The schedule owes the first arrival at the start (load/segment.ts); this compared the
    // absolute time with 0 before, which could not fail.
    const first = (target.iterations[0] as number) - startedAt;
    const gaps = target.iterations.slice(1).map((t, i) => t - (target.iterations[i] as number));
    expect(gaps[10]! > gaps.at(-1)!).toBe(true);
    expect(first).toBe(0);
  });
});
