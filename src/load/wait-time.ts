import type { Random } from './random.js';

/**
 * How long a user waits after a task, in seconds. `taskSeconds` is how long the task took, which
 * the pacing kinds subtract.
 */
export interface WaitTime {
  readonly kind: 'between' | 'constant' | 'constant-pacing';
  readonly description: string;
  next(random: Random, taskSeconds: number): number;
}

function check(value: number, what: string): void {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${what} must be a number of seconds >= 0, got ${value}`);
}

/** A uniformly random wait from `min` to `max` seconds (Locust's `between`). */
export function between(min: number, max: number): WaitTime {
  check(min, 'between(min)');
  check(max, 'between(max)');
  if (max < min) throw new RangeError(`between(${min}, ${max}): max is below min`);
  return {
    kind: 'between',
    description: `between(${min}, ${max})`,
    next: (random) => random.between(min, max),
  };
}

/** The same wait after every task. */
export function constant(seconds: number): WaitTime {
  check(seconds, 'constant(seconds)');
  return { kind: 'constant', description: `constant(${seconds})`, next: () => seconds };
}

/** Starts a task every `seconds` at most: waits whatever the task left of the interval. */
export function constantPacing(seconds: number): WaitTime {
  check(seconds, 'constantPacing(seconds)');
  return {
    kind: 'constant-pacing',
    description: `constantPacing(${seconds})`,
    next: (_random, taskSeconds) => Math.max(0, seconds - taskSeconds),
  };
}

/** At most `perSecond` tasks a second per user (the inverse of constantPacing). */
export function constantThroughput(perSecond: number): WaitTime {
  if (!(perSecond > 0)) throw new RangeError(`constantThroughput(${perSecond}) needs a rate > 0`);
  const pacing = constantPacing(1 / perSecond);
  return { ...pacing, description: `constantThroughput(${perSecond})` };
}
