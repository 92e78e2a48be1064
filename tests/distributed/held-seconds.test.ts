/**
 * A distributed run merges a second only once every running agent has reported it: when Redis
 * dies, an agent a second ahead of the others would otherwise add a second they cannot, and the
 * rate over the seconds seen read high (two agents at 25/s read 58/s, the last row half-height).
 */
import { describe, expect, it } from 'vitest';
import { releaseHeld } from '../../src/distributed/coordinator.js';
import type { StatsDelta } from '../../src/stats/index.js';

const delta = {} as StatsDelta;
const agent = (seqs: number[], state: { done?: boolean; lost?: boolean } = {}) => ({
  seq: Math.max(0, ...seqs),
  done: state.done ?? false,
  lost: state.lost ?? false,
  held: seqs.map((seq) => ({ seq, delta, users: 25 })),
});
const merged = (out: ReturnType<typeof releaseHeld>) => out.map(([i, s]) => `${i}:${s.seq}`);

describe('releaseHeld', () => {
  it('merges the seconds every running agent reported, and holds the one an agent is ahead', () => {
    const instances = new Map([
      [0, agent([1, 2, 3, 4])],
      [1, agent([1, 2, 3])],
    ]);
    expect(merged(releaseHeld(instances))).toEqual(['0:1', '0:2', '0:3', '1:1', '1:2', '1:3']);
    // Redis gone now: agent 0's fourth second is never merged.
    expect(instances.get(0)?.held.map((s) => s.seq)).toEqual([4]);
    expect(releaseHeld(instances)).toEqual([]);
  });

  it('an agent done or lost gives all its seconds, and no longer holds the others back', () => {
    const instances = new Map([
      [0, agent([1, 2, 3, 4])],
      [1, agent([1, 2], { lost: true })],
    ]);
    expect(merged(releaseHeld(instances))).toEqual(['0:1', '0:2', '0:3', '0:4', '1:1', '1:2']);
  });

  it('at the end of a run, everything received is merged', () => {
    const instances = new Map([
      [0, agent([5, 6])],
      [1, agent([5])],
    ]);
    expect(merged(releaseHeld(instances, true))).toEqual(['0:5', '0:6', '1:5']);
  });
});
