import { describe, expect, it } from 'vitest';
import { FaultState } from '../../fiml/faults.js';
import { mulberry32 } from '../../fiml/random.js';
import { TaskFailedError, TaskPool, TaskRejectedError } from '../../fiml/tasks/index.js';

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const pool = (options: Partial<ConstructorParameters<typeof TaskPool>[0]> = {}) =>
  new TaskPool({ random: mulberry32(1), faults: new FaultState(), ...options });

describe('task pool', () => {
  it('never runs more tasks at once than its concurrency', async () => {
    const tasks = pool({ concurrency: 3 });
    const g = gate();
    let running = 0;
    let peak = 0;
    const all = Array.from({ length: 10 }, () =>
      tasks.run('t', async () => {
        running++;
        peak = Math.max(peak, running);
        await g.opened;
        running--;
      }),
    );
    await Promise.resolve();
    expect(tasks.stats()).toMatchObject({ active: 3, queued: 7 });
    g.open();
    await Promise.all(all);
    expect(peak).toBe(3);
    expect(tasks.stats()).toMatchObject({
      active: 0,
      queued: 0,
      completed: 10,
      failed: 0,
      completion_rate: 1,
    });
  });

  it('rejects work when the queue is full and counts it as failed', async () => {
    const tasks = pool({ concurrency: 1, maxQueue: 1 });
    const g = gate();
    const running = tasks.run('a', () => g.opened);
    const queued = tasks.run('b', () => 'b');
    await expect(tasks.run('c', () => 'c')).rejects.toBeInstanceOf(TaskRejectedError);
    g.open();
    await running;
    expect(await queued).toBe('b');
    expect(tasks.stats()).toMatchObject({ completed: 2, failed: 1, rejected: 1 });
    expect(tasks.stats().completion_rate).toBeCloseTo(2 / 3, 10);
  });

  it('counts a task whose work throws as failed', async () => {
    const tasks = pool();
    await expect(tasks.run('x', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(tasks.stats()).toMatchObject({ completed: 0, failed: 1, completion_rate: 0 });
  });

  it('fails about the configured share of tasks on purpose', async () => {
    const tasks = pool({ failureRate: 0.25 });
    let failed = 0;
    for (let i = 0; i < 1000; i++) {
      await tasks
        .run('t', () => 1)
        .catch((e) => {
          expect(e).toBeInstanceOf(TaskFailedError);
          failed++;
        });
    }
    expect(failed).toBeGreaterThan(200);
    expect(failed).toBeLessThan(300);
    expect(tasks.stats().completion_rate).toBeCloseTo(1 - failed / 1000, 10);
  });

  it('lets an injected failure rate override the configured one, until cleared', async () => {
    const faults = new FaultState();
    const tasks = pool({ faults });
    faults.taskFailureRate = 1;
    await expect(tasks.run('t', () => 1)).rejects.toBeInstanceOf(TaskFailedError);
    faults.clear();
    await expect(tasks.run('t', () => 1)).resolves.toBe(1);
  });
});
