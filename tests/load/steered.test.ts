import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createExecutor,
  type LoadTarget,
  type SteeredConfig,
  Steering,
  splitChange,
} from '../../src/load/index.js';

/** Records what the executor asks for. */
class FakeTarget implements LoadTarget {
  users = 0;
  iterations: number[] = [];
  setUsers(count: number): void {
    this.users = count;
  }
  startIteration(intended: number): boolean {
    this.iterations.push(intended);
    return true;
  }
  async stop(): Promise<void> {}
}

// On vitest's fake clock (timers and the global performance.now, which the executor is given as
// its clock): a busy machine cannot make a tick late, so the counts below are exact, not hoped for.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});
const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const now = () => performance.now();

function steered(config: Partial<SteeredConfig>): SteeredConfig {
  return {
    type: 'steered',
    model: 'closed',
    users: 0,
    spawnRate: 1000,
    rate: 0,
    maxUsers: 100,
    durationMs: 0,
    ...config,
  };
}

describe('a steered run (the live UI drives it)', () => {
  it('closed model: follows the user count it is given, up and down, until stopped', async () => {
    const target = new FakeTarget();
    const config = steered({ users: 3 });
    const steering = new Steering(config);
    const controller = new AbortController();
    const running = createExecutor(config, steering).run({
      target,
      signal: controller.signal,
      startedAt: performance.now(),
      now,
      recordLag: () => {},
      dropped: () => {},
    });
    await advance(150);
    expect(target.users).toBe(3);
    steering.set({ users: 8 });
    await advance(150);
    expect(target.users).toBe(8);
    // At 20 a second, going down from 8 to 2 takes about 300 ms.
    steering.set({ users: 2, spawnRate: 20 });
    await advance(120);
    expect(target.users).toBeGreaterThan(2);
    await advance(400);
    expect(target.users).toBe(2);
    controller.abort();
    await running;
  });

  it('open model: starts iterations at the rate it is given', async () => {
    const target = new FakeTarget();
    const config = steered({ model: 'open', rate: 20 });
    const steering = new Steering(config);
    const controller = new AbortController();
    const startedAt = performance.now();
    const running = createExecutor(config, steering).run({
      target,
      signal: controller.signal,
      startedAt,
      now,
      recordLag: () => {},
      dropped: () => {},
    });
    await advance(500);
    steering.set({ rate: 200 });
    await advance(500);
    controller.abort();
    await running;
    const first = target.iterations.filter((t) => t - startedAt < 500).length;
    const second = target.iterations.filter((t) => t - startedAt >= 500).length;
    expect(first).toBeGreaterThanOrEqual(9);
    expect(first).toBeLessThanOrEqual(11);
    expect(second).toBeGreaterThanOrEqual(90);
    expect(second).toBeLessThanOrEqual(110);
  });

  it('open model: a rise from a very low rate takes effect at once, not after the old gap', async () => {
    const target = new FakeTarget();
    // At 0.1/s the next start is 10 s away; the rise must not wait for it, nor burst after.
    const config = steered({ model: 'open', rate: 0.1 });
    const steering = new Steering(config);
    const controller = new AbortController();
    const startedAt = performance.now();
    const running = createExecutor(config, steering).run({
      target,
      signal: controller.signal,
      startedAt,
      now,
      recordLag: () => {},
      dropped: () => {},
    });
    await advance(300);
    const changedAt = performance.now() - startedAt;
    steering.set({ rate: 100 });
    await advance(500);
    controller.abort();
    await running;
    const after = target.iterations.map((t) => t - startedAt).filter((t) => t >= changedAt);
    expect(after.length).toBeGreaterThanOrEqual(40);
    expect(after.length).toBeLessThanOrEqual(55);
    // Started within a tick of the change, and spread over the half second, not in one burst.
    expect((after[0] as number) - changedAt).toBeLessThan(60);
    const firstTenth = after.filter((t) => t < changedAt + 100).length;
    expect(firstTenth).toBeLessThanOrEqual(15);
  });

  it('splits a change across workers so the parts add up', () => {
    const parts = [0, 1, 2].map((i) => splitChange({ users: 10, rate: 90, spawnRate: 3 }, i, 3));
    expect(parts.reduce((n, p) => n + (p.users ?? 0), 0)).toBe(10);
    expect(parts.reduce((n, p) => n + (p.rate ?? 0), 0)).toBe(90);
    expect(parts.every((p) => p.spawnRate === 1)).toBe(true);
  });
});
