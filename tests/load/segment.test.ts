import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partOf } from '../../src/load/executors/index.js';
import { constant, createTarget, type LoadPlan, task, User } from '../../src/load/index.js';
import {
  ArrivalSchedule,
  globalIndex,
  owns,
  type Segment,
  segmentProblem,
  shareOf,
} from '../../src/load/segment.js';
import { DeltaRecorder } from '../../src/stats/index.js';
import { stageValue } from '../../src/util/duration.js';

const segments = (count: number): Segment[] =>
  Array.from({ length: count }, (_, index) => ({ index, count }));

describe('users split between instances', () => {
  it('shares add up to the plan at every count, only grow with it, and are the indexes owned', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 0, max: 2000 }), (n, v) => {
        const shares = segments(n).map((s) => shareOf(v, s));
        expect(shares.reduce((a, b) => a + b, 0)).toBe(v);
        for (const [i, s] of segments(n).entries()) {
          expect(shareOf(v + 1, s)).toBeGreaterThanOrEqual(shares[i] as number);
          let owned = 0;
          for (let g = 0; g < v; g++) if (owns(s, g)) owned++;
          expect(owned).toBe(shares[i]);
          if (shares[i]) expect(globalIndex(s, (shares[i] as number) - 1)).toBeLessThan(v);
        }
        // Never more than one apart: the load is even.
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('a user cap is split, a steered run divided, other shapes left whole', () => {
    const open = { type: 'constant-arrival-rate', rate: 1000, durationMs: 1, maxUsers: 7 } as const;
    const caps = segments(3).map((s) => (partOf(open, s) as typeof open).maxUsers);
    expect(caps).toEqual([3, 2, 2]);
    expect((partOf(open, { index: 1, count: 3 }) as typeof open).rate).toBe(1000);
    const users = { type: 'constant-users', users: 10, spawnRate: 9, durationMs: 1 } as const;
    expect(partOf(users, { index: 2, count: 3 })).toBe(users);
    expect(segmentProblem({ index: 3, count: 3 })).toMatch(/index from 0 to 2/);
    expect(segmentProblem({ index: 0, count: 0 })).toMatch(/instances >= 1/);
    expect(segmentProblem({ index: 0, count: 1 })).toBeUndefined();
  });
});

/** Every arrival one instance starts, taking them at the times its timers happen to wake. */
function run(
  rateAt: (ms: number) => number,
  durationMs: number,
  segment: Segment,
  wakes: number[],
): Array<[number, number]> {
  const schedule = new ArrivalSchedule(rateAt, durationMs);
  const out: Array<[number, number]> = [];
  let now = 0;
  for (let i = 0; ; i++) {
    now += wakes[i % wakes.length] as number;
    if (!schedule.take(now, segment, (g, at) => out.push([g, at]))) break;
    // A wake planned from nextOwnAt is never past the arrival it waits for.
    const next = i % 50 === 0 ? schedule.nextOwnAt(segment, 1000) : undefined;
    if (next !== undefined && next <= now) throw new Error(`next own arrival ${next} <= ${now}`);
  }
  return out;
}

describe('arrival schedules striped by global iteration', () => {
  const rates = fc.oneof(
    // A constant, uneven rate.
    fc.double({ min: 0.5, max: 3000, noNaN: true }).map((r) => () => r),
    // Stages with uneven targets (a ramp up and down, maybe through zero).
    fc
      .array(
        fc.record({
          durationMs: fc.integer({ min: 50, max: 800 }),
          target: fc.double({ min: 0, max: 2500, noNaN: true }),
        }),
        { minLength: 1, maxLength: 4 },
      )
      .map((stages) => (ms: number) => stageValue(stages, 7.5, ms)),
  );

  it('the union of every instance is the single-machine schedule: no iteration twice or never', () => {
    fc.assert(
      fc.property(
        rates,
        fc.integer({ min: 100, max: 2500 }),
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.double({ min: 0.2, max: 40, noNaN: true }), { minLength: 1, maxLength: 7 }),
        (rateAt, durationMs, n, wakes) => {
          const whole = run(rateAt, durationMs, { index: 0, count: 1 }, [1]);
          // Global indexes 0, 1, 2... each once, in time order, inside the run.
          expect(whole.map(([g]) => g)).toEqual(whole.map((_, i) => i));
          for (let i = 1; i < whole.length; i++)
            expect(whole[i]![1]).toBeGreaterThanOrEqual(whole[i - 1]![1]);
          if (whole.length) expect(whole.at(-1)![1]).toBeLessThan(durationMs);
          // Each instance wakes at its own times (rotated), yet starts the same iterations at the
          // same times, bit for bit.
          const union = segments(n)
            .flatMap((s, i) => {
              const mine = run(rateAt, durationMs, s, [...wakes.slice(i % wakes.length), ...wakes]);
              expect(mine.every(([g]) => owns(s, g))).toBe(true);
              return mine;
            })
            .sort((a, b) => a[0] - b[0]);
          expect(union).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('R a second for T seconds schedules exactly R x T iterations, the first at the start', () => {
    for (const [rate, seconds] of [
      [40, 12],
      [1000, 3],
      [7, 10],
      [333, 3],
    ] as const) {
      const whole = run(() => rate, seconds * 1000, { index: 0, count: 1 }, [3.7]);
      expect(whole.length).toBe(rate * seconds);
      expect(whole[0]).toEqual([0, 0]);
      for (const n of [2, 3, 5]) {
        const shares = segments(n).map((s) => run(() => rate, seconds * 1000, s, [5]).length);
        expect(shares.reduce((a, b) => a + b, 0)).toBe(rate * seconds);
      }
    }
  });
});

describe('users of a segment', () => {
  const created: Array<[number, string]> = [];
  class Heavy extends User {
    static override weight = 3;
    static override waitTime = constant(60);
    static override tasks = [task(1, () => undefined)];
    constructor(context: ConstructorParameters<typeof User>[0]) {
      super(context);
      created.push([this.id, 'Heavy']);
    }
  }
  class Light extends User {
    static override waitTime = constant(60);
    static override tasks = [task(1, () => undefined)];
    constructor(context: ConstructorParameters<typeof User>[0]) {
      super(context);
      created.push([this.id, 'Light']);
    }
  }

  /** The users of `v` a segment starts: ids and classes. */
  async function usersOf(v: number, segment: Segment): Promise<Array<[number, string]>> {
    created.length = 0;
    const plan: LoadPlan = {
      workload: { kind: 'scenario', file: 'inline', classNames: [] },
      executor: { type: 'constant-users', users: v, spawnRate: 1, durationMs: 1 },
      host: 'http://127.0.0.1:9',
      seed: 1,
      timeoutMs: 1000,
      headers: {},
    };
    const { target, close } = createTarget(plan, new DeltaRecorder(), [Heavy, Light], segment);
    target.setUsers(shareOf(v, segment));
    await target.stop(0);
    await close();
    return [...created];
  }

  it('are the whole plan’s users it owns: the same ids (so seeds) and classes as on one machine', async () => {
    const whole = await usersOf(11, { index: 0, count: 1 });
    expect(whole.map(([id]) => id)).toEqual([...Array(11).keys()]);
    expect(whole.filter(([, c]) => c === 'Light').length).toBe(3);
    for (const n of [2, 3, 4, 16]) {
      const union: Array<[number, string]> = [];
      for (const s of segments(n)) union.push(...(await usersOf(11, s)));
      expect(union.sort((a, b) => a[0] - b[0])).toEqual(whole);
    }
  });
});
