import type { Command } from 'commander';
import { z } from 'zod';
import { PerfError } from '../errors.js';
import { parseDuration } from '../util/duration.js';
import { runIdSchema } from './distributed-options.js';
import { loadOptions } from './load-options.js';
import { addOptions, flag, type OptionTable, resolveOptions } from './option-table.js';

export const agentOptions = {
  index: {
    flags: '--index <i>',
    description: "this agent's index, 0 to instances-1 (default: Kubernetes' JOB_COMPLETION_INDEX)",
    schema: flag.optionalInt(0, 9_999),
  },
  run: {
    flags: '--run <id>',
    description: 'join this run only (default: the newest run still waiting for agents)',
    schema: runIdSchema,
  },
  json: {
    flags: '--json <file>',
    description:
      "also write this agent's own share as a result file (the coordinator writes the run's); a run whose Redis or coordinator went silent writes its partial result here (else to fiml-perf-agent-RUN-INDEX.json in the temporary folder)",
    schema: z.string().min(1).optional(),
  },
  wait: {
    flags: '--wait <duration>',
    description: 'how long to wait for a run to join',
    schema: flag.duration('10m', '10m', 0),
  },
  maxBlock: loadOptions.maxBlock,
} satisfies OptionTable;

const EXAMPLES = `
Examples:
  fiml-perf agent redis://127.0.0.1:6379 --index 0     join the newest run as its instance 0
  JOB_COMPLETION_INDEX=2 fiml-perf agent redis://redis:6379 --run nightly-1

Exit codes: 0 its share ran to the end; 2 bad input (no index, an index taken or out of
range, Redis unreachable, no run to join); 3 the run was aborted (another agent, the
coordinator or Redis lost: silent for the run's heartbeat timeout; this agent's partial result
is then written and named); 130 a task froze this agent for --max-block (its partial result
written and named), or this agent was stopped by Ctrl-C or SIGTERM (a deleted pod).

Docs: docs/distributed.md`;

export function registerAgent(command: Command): void {
  command
    .argument('<redis-url>', "the run's Redis, as the coordinator's --coordinator")
    .addHelpText('after', EXAMPLES);
  addOptions(command, agentOptions).action(async (url: string, raw: Record<string, unknown>) => {
    const options = resolveOptions(agentOptions, raw);
    const fromEnv = process.env.JOB_COMPLETION_INDEX;
    let index = options.index;
    if (index === undefined && fromEnv !== undefined) {
      index = Number(fromEnv);
      if (!/^\d+$/.test(fromEnv))
        throw new PerfError(
          'FP_ERR_DISTRIBUTED',
          `JOB_COMPLETION_INDEX is ${JSON.stringify(fromEnv)}, not an index; pass --index`,
        );
    }
    if (index === undefined)
      throw new PerfError(
        'FP_ERR_DISTRIBUTED',
        "an agent needs its index: pass --index I (0 to instances-1), or run it in Kubernetes' Indexed Job",
      );
    const { runAgentJob } = await import('../jobs/index.js');
    process.exitCode = await runAgentJob({
      redisUrl: url,
      index,
      run: options.run,
      waitMs: parseDuration(options.wait) as number,
      json: options.json,
      maxBlockMs: parseDuration(options.maxBlock) as number,
    });
  });
}
