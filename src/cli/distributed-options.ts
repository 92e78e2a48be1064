import { z } from 'zod';
import { PerfError } from '../errors.js';
import type { DistributedRequest } from '../jobs/index.js';
import { parseDuration } from '../util/duration.js';
import { flag, type OptionTable, type ResolvedOptions } from './option-table.js';

/** A run id: what Redis keys and Kubernetes labels can carry. */
export const runIdSchema = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/,
    'expected lowercase letters, digits and -, up to 40',
  )
  .optional();

/** Flags of a distributed run's coordinator (docs/distributed.md). */
export const distributedOptions = {
  coordinator: {
    flags: '--coordinator <redis-url>',
    description:
      'coordinate a run of --instances agents (fiml-perf agent) through this Redis, e.g. redis://127.0.0.1:6379',
    schema: z.string().min(1).optional(),
  },
  instances: {
    flags: '--instances <n>',
    description: 'with --coordinator: how many agents run the plan, each its exact share',
    schema: flag.optionalInt(1, 10_000),
  },
  run: {
    flags: '--run <id>',
    description: 'with --coordinator: the run id agents started with --run join (default: random)',
    schema: runIdSchema,
  },
  readyTimeout: {
    flags: '--ready-timeout <duration>',
    description: 'with --coordinator: how long to wait for every agent to be ready',
    schema: flag.duration('30s', '60s', 0),
  },
  heartbeatTimeout: {
    flags: '--heartbeat-timeout <duration>',
    description: 'with --coordinator: an agent silent this long is lost and the run fails (exit 3)',
    schema: flag.duration('30s', '3s', 0),
  },
} satisfies OptionTable;

export type DistributedFlags = ResolvedOptions<typeof distributedOptions>;

/** The distributed run asked for, or undefined. @throws PerfError for flags that do not fit */
export function resolveDistributed(
  flags: DistributedFlags & { workers?: number; ui?: boolean },
): DistributedRequest | undefined {
  const fail = (message: string) => new PerfError('FP_ERR_INVALID_FLAG', message);
  if (!flags.coordinator) {
    if (flags.instances !== undefined)
      throw fail('--instances needs --coordinator redis://HOST:6379 (the agents meet there)');
    return undefined;
  }
  if (flags.instances === undefined)
    throw fail('--coordinator needs --instances N: how many agents run the plan');
  if ((flags.workers ?? 1) > 1)
    throw fail(
      'with --coordinator each agent runs one thread; start more agents (--instances) instead of --workers',
    );
  if (flags.ui) throw fail('the live UI runs on one machine; drop --ui or --coordinator');
  const heartbeatTimeoutMs = parseDuration(flags.heartbeatTimeout) as number;
  if (heartbeatTimeoutMs < 2000)
    throw fail('--heartbeat-timeout must be 2s or more (agents report once a second)');
  return {
    redisUrl: flags.coordinator,
    instances: flags.instances,
    run: flags.run,
    readyTimeoutMs: parseDuration(flags.readyTimeout) as number,
    heartbeatTimeoutMs,
  };
}
