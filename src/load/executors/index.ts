import { type Segment, shareOf } from '../segment.js';
import {
  type ConstantArrivalRateConfig,
  ConstantArrivalRateExecutor,
} from './constant-arrival-rate.js';
import { type ConstantUsersConfig, ConstantUsersExecutor } from './constant-users.js';
import type { Executor } from './executor.js';
import {
  type RampingArrivalRateConfig,
  RampingArrivalRateExecutor,
} from './ramping-arrival-rate.js';
import { type RampingUsersConfig, RampingUsersExecutor } from './ramping-users.js';
import {
  MAX_SPAWN_RATE_PER_THREAD,
  type SteerChange,
  type SteeredConfig,
  SteeredExecutor,
  Steering,
} from './steered.js';

export type { SteerChange, SteeredConfig };
export { MAX_SPAWN_RATE_PER_THREAD, Steering };

export type ExecutorConfig =
  | ConstantUsersConfig
  | RampingUsersConfig
  | ConstantArrivalRateConfig
  | RampingArrivalRateConfig
  | SteeredConfig;

type Factories = {
  readonly [K in ExecutorConfig['type']]: (
    config: Extract<ExecutorConfig, { type: K }>,
  ) => Executor;
};

/** Every executor, keyed by its type (k6's executor registry). */
export const executors: Factories = {
  'constant-users': (config) => new ConstantUsersExecutor(config),
  'ramping-users': (config) => new RampingUsersExecutor(config),
  'constant-arrival-rate': (config) => new ConstantArrivalRateExecutor(config),
  'ramping-arrival-rate': (config) => new RampingArrivalRateExecutor(config),
  steered: (config) => new SteeredExecutor(config),
};

/** The executor of a config; a steered one follows `steering` when given. */
export function createExecutor(config: ExecutorConfig, steering?: Steering): Executor {
  if (config.type === 'steered' && steering) return new SteeredExecutor(config, steering);
  return (executors[config.type] as (c: ExecutorConfig) => Executor)(config);
}

/** Worker `index`'s part of a change to a steered run: the parts add up to the change. */
export function splitChange(change: SteerChange, index: number, parts: number): SteerChange {
  return {
    ...(change.users !== undefined ? { users: share(change.users, index, parts) } : {}),
    ...(change.spawnRate !== undefined ? { spawnRate: change.spawnRate / parts } : {}),
    ...(change.rate !== undefined ? { rate: change.rate / parts } : {}),
  };
}

/** Integer share `index` of `total` split `parts` ways; the shares add up to `total`. */
function share(total: number, index: number, parts: number): number {
  return Math.floor((total * (index + 1)) / parts) - Math.floor((total * index) / parts);
}

/**
 * The config segment `segment` of a plan runs. A steered run (the live UI) is split here, its
 * users, spawn rate and rate divided, since it changes as it runs; every other shape stays whole
 * (the executor runs its segment's share: `segmentFor`), with only the open model's user cap
 * divided.
 */
export function partOf(config: ExecutorConfig, segment: Segment): ExecutorConfig {
  const { index, count } = segment;
  if (count === 1) return config;
  switch (config.type) {
    case 'steered':
      return {
        ...config,
        users: share(config.users, index, count),
        spawnRate: config.spawnRate / count,
        rate: config.rate / count,
        maxUsers: Math.max(1, share(config.maxUsers, index, count)),
      };
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return { ...config, maxUsers: Math.max(1, shareOf(config.maxUsers, segment)) };
    default:
      return config;
  }
}

/** The segment an executor of `config` (from `partOf`) runs, in its context. */
export function segmentFor(config: ExecutorConfig, segment: Segment): Segment | undefined {
  return config.type === 'steered' || segment.count === 1 ? undefined : segment;
}

export type { ExecutorContext, LoadUnits } from './executor.js';
export type {
  ConstantArrivalRateConfig,
  ConstantUsersConfig,
  Executor,
  RampingArrivalRateConfig,
  RampingUsersConfig,
};
