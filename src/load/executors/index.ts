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
import { type SteerChange, type SteeredConfig, SteeredExecutor, Steering } from './steered.js';

export type { SteerChange, SteeredConfig };
export { Steering };

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

/** The part of a load shape that worker `index` of `parts` runs; the parts add up to the whole. */
export function splitExecutor(
  config: ExecutorConfig,
  index: number,
  parts: number,
): ExecutorConfig {
  switch (config.type) {
    case 'constant-users':
      return {
        ...config,
        users: share(config.users, index, parts),
        spawnRate: config.spawnRate / parts,
      };
    case 'ramping-users':
      return {
        ...config,
        startUsers: share(config.startUsers, index, parts),
        stages: config.stages.map((s) => ({ ...s, target: share(s.target, index, parts) })),
      };
    case 'constant-arrival-rate':
      return {
        ...config,
        rate: config.rate / parts,
        maxUsers: Math.max(1, share(config.maxUsers, index, parts)),
      };
    case 'steered':
      return {
        ...config,
        users: share(config.users, index, parts),
        spawnRate: config.spawnRate / parts,
        rate: config.rate / parts,
        maxUsers: Math.max(1, share(config.maxUsers, index, parts)),
      };
    case 'ramping-arrival-rate':
      return {
        ...config,
        startRate: config.startRate / parts,
        stages: config.stages.map((s) => ({ ...s, target: s.target / parts })),
        maxUsers: Math.max(1, share(config.maxUsers, index, parts)),
      };
  }
}

export type { ExecutorContext } from './executor.js';
export type {
  ConstantArrivalRateConfig,
  ConstantUsersConfig,
  Executor,
  RampingArrivalRateConfig,
  RampingUsersConfig,
};
