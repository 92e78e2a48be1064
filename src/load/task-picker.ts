import { PerfError } from '../errors.js';
import type { Random } from './random.js';
import {
  isTaskSetClass,
  type TaskEntry,
  type TaskSet,
  type TaskSetClass,
  type User,
  type UserClass,
} from './scenario.js';

/** A scenario that cannot run: bad weights, a task naming a missing method, no tasks. */
export class ScenarioError extends PerfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FP_ERR_SCENARIO', message, options);
    this.name = 'ScenarioError';
  }
}

type Compiled =
  | { readonly kind: 'method'; readonly method: string; readonly label: string }
  | {
      readonly kind: 'function';
      readonly fn: (this: unknown, owner: unknown) => unknown;
      readonly label: string;
    }
  | {
      readonly kind: 'set';
      readonly set: TaskSetClass;
      readonly picker: TaskPicker;
      readonly label: string;
    };

/** Picks a class's tasks by weight: cumulative weights and a binary search. */
export class TaskPicker {
  private readonly cumulative: number[] = [];
  private readonly entries: Compiled[] = [];
  private readonly total: number;

  constructor(owner: UserClass | TaskSetClass, seen: Set<unknown> = new Set()) {
    const tasks: readonly TaskEntry[] = owner.tasks ?? [];
    if (!Array.isArray(tasks) || tasks.length === 0)
      throw new ScenarioError(`${owner.name} has no tasks: set static tasks = [task(1, ...)]`);
    if (seen.has(owner)) throw new ScenarioError(`${owner.name} contains itself through its tasks`);
    seen.add(owner);
    let sum = 0;
    for (const [index, entry] of tasks.entries()) {
      const where = `${owner.name}.tasks[${index}]`;
      if (!entry || !Number.isFinite(entry.weight) || entry.weight <= 0)
        throw new ScenarioError(
          `${where}: the weight must be a number > 0 (use task(weight, target))`,
        );
      this.entries.push(compile(owner, entry.target, where, seen));
      sum += entry.weight;
      this.cumulative.push(sum);
    }
    seen.delete(owner);
    this.total = sum;
  }

  /** Runs one task picked by weight on `owner` (a user or a task set instance). */
  run(
    owner: User | TaskSet,
    random: Random,
    sets: Map<TaskSetClass, TaskSet>,
    user: User,
    /** Told the label of the task picked (`Set.task`), before it runs. */
    picked?: (label: string) => void,
    prefix = '',
  ): unknown {
    const x = random.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    const entry = this.entries[lo] as Compiled;
    if (picked && entry.kind !== 'set') picked(`${prefix}${entry.label}`);
    switch (entry.kind) {
      case 'method':
        return (owner as unknown as Record<string, () => unknown>)[entry.method]!();
      case 'function':
        return entry.fn.call(owner, owner);
      case 'set': {
        let instance = sets.get(entry.set);
        if (!instance) {
          instance = new entry.set(user as never) as TaskSet;
          sets.set(entry.set, instance);
        }
        return entry.picker.run(instance, random, sets, user, picked, `${prefix}${entry.label}.`);
      }
    }
  }

  /** Each leaf task's share of all picks, for checks and docs: `{ 'PriceQueryTasks.simple': 0.4 }`. */
  shares(prefix = '', scale = 1): Record<string, number> {
    const out: Record<string, number> = {};
    let previous = 0;
    for (const [i, entry] of this.entries.entries()) {
      const weight = (this.cumulative[i] as number) - previous;
      previous = this.cumulative[i] as number;
      const share = (scale * weight) / this.total;
      if (entry.kind === 'set')
        Object.assign(out, entry.picker.shares(`${prefix}${entry.label}.`, share));
      else out[`${prefix}${entry.label}`] = (out[`${prefix}${entry.label}`] ?? 0) + share;
    }
    return out;
  }
}

function compile(
  owner: UserClass | TaskSetClass,
  target: unknown,
  where: string,
  seen: Set<unknown>,
): Compiled {
  if (typeof target === 'string') {
    if (typeof (owner.prototype as Record<string, unknown>)[target] !== 'function')
      throw new ScenarioError(`${where}: ${owner.name} has no method '${target}'`);
    return { kind: 'method', method: target, label: target };
  }
  if (isTaskSetClass(target)) {
    return { kind: 'set', set: target, picker: new TaskPicker(target, seen), label: target.name };
  }
  if (typeof target === 'function') {
    return {
      kind: 'function',
      fn: target as (this: unknown, owner: unknown) => unknown,
      label: target.name || 'anonymous',
    };
  }
  throw new ScenarioError(`${where}: a task is a method name, a function or a TaskSet class`);
}

const pickers = new WeakMap<UserClass, TaskPicker>();

/** The (cached) picker of a user class. @throws ScenarioError */
export function pickerOf(cls: UserClass): TaskPicker {
  let picker = pickers.get(cls);
  if (!picker) {
    picker = new TaskPicker(cls);
    pickers.set(cls, picker);
  }
  return picker;
}
