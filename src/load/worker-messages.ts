import type { Fold, StatsDelta } from '../stats/index.js';
import type { SteerChange } from './executors/index.js';
import type { LoopLag } from './generator-monitor.js';

/** Messages between the run and its worker threads. */
export type ToWorker =
  | { readonly type: 'stop'; readonly graceMs: number }
  /** A steered run changed: this worker's part of the change. */
  | { readonly type: 'steer'; readonly change: SteerChange }
  /** The run's name cap is reached: record these names, everything else as the overflow. */
  | { readonly type: 'names'; readonly recorded: ReadonlyArray<readonly [string, string]> }
  /** The run folded these positions of request names into `:id` (`NameFolds`). */
  | { readonly type: 'folds'; readonly folds: readonly Fold[] };

export type FromWorker =
  | { readonly type: 'delta'; readonly delta: StatsDelta; readonly users: number }
  | { readonly type: 'dropped' }
  /** A task froze the worker (load/worker-rescue.ts): why, and what it recorded to the end. */
  | {
      readonly type: 'stuck';
      readonly reason: string;
      readonly delta: StatsDelta;
      readonly lag: LoopLag;
      readonly scheduleLag: string;
      readonly dropped: number;
    }
  | {
      readonly type: 'done';
      readonly delta: StatsDelta;
      readonly lag: LoopLag;
      readonly scheduleLag: string;
      readonly dropped: number;
    };
