/**
 * Reading another thread's beat (load/beat.ts): a beat that stands still for the limit is a
 * frozen thread; one that stood still only because the whole process was suspended (Ctrl-Z, a
 * paused container: the reader ran late too) is not. The process-level test (SIGSTOP) races the
 * two threads' timers; this one holds the clock.
 */
import { describe, expect, it } from 'vitest';
import { BeatReader } from '../../src/load/beat.js';

const beatOf = (value: number) => {
  const beat = new Int32Array(new SharedArrayBuffer(4));
  Atomics.store(beat, 0, value);
  return beat;
};

describe('BeatReader', () => {
  it('says how long the beat stood still once that reaches the limit', () => {
    const beat = beatOf(1);
    const reader = new BeatReader(beat, 1000, 100);
    reader.check(0);
    const said: Array<number | undefined> = [];
    for (let i = 1; i <= 12; i++) said.push(reader.check(i * 100));
    expect(said.slice(0, 9)).toEqual(Array(9).fill(undefined));
    expect(said[9]).toBe(1000);
    // A beat again: not frozen any more.
    Atomics.add(beat, 0, 1);
    expect(reader.check(1300)).toBeUndefined();
  });

  it('a process suspended for longer than the limit is not taken for a frozen thread', () => {
    const beat = beatOf(1);
    const reader = new BeatReader(beat, 1000, 100);
    reader.check(0);
    reader.check(100);
    // Suspended for 3 s: the reader's next poll is that late, and the beat has not moved yet.
    expect(reader.check(3100)).toBeUndefined();
    expect(reader.check(3200)).toBeUndefined();
  });

  it('a thread not yet beating (0) is not frozen', () => {
    const reader = new BeatReader(beatOf(0), 1000, 100);
    for (let now = 0; now <= 5000; now += 100) expect(reader.check(now)).toBeUndefined();
  });
});
