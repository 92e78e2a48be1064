import type { LoadPlan } from '../load/index.js';
import type { RunResult } from '../stats/index.js';
import { bundleScenario } from './bundle.js';
import { Coordinator } from './coordinator.js';
import { redactUrl } from './protocol.js';

/** The coordinator's side of a distributed run, as `load --coordinator` asks for it. */
export interface CoordinateOptions {
  readonly redisUrl: string;
  readonly instances: number;
  readonly run: string | undefined;
  readonly readyTimeoutMs: number;
  readonly heartbeatTimeoutMs: number;
  /** The run's plan; a scenario's file is bundled into the plan the agents get. */
  readonly plan: LoadPlan;
  readonly scenarioFile: string | undefined;
  readonly graceMs: number;
  readonly version: string;
  /** Ctrl-C while waiting for the agents: they are told, and the run does not start. */
  readonly stop: AbortSignal;
  readonly log: (line: string) => void;
}

/**
 * Connects to the run's Redis, publishes the plan (the scenario bundled in it) and waits for
 * every agent. @throws PerfError when Redis does not answer or the agents do not all come
 */
export async function coordinate(o: CoordinateOptions): Promise<Coordinator> {
  const scenario =
    o.plan.workload.kind === 'scenario' && o.scenarioFile
      ? await bundleScenario(o.scenarioFile)
      : undefined;
  const coordinator = await Coordinator.connect({
    redisUrl: o.redisUrl,
    instances: o.instances,
    run: o.run,
    readyTimeoutMs: o.readyTimeoutMs,
    heartbeatTimeoutMs: o.heartbeatTimeoutMs,
    version: o.version,
    log: o.log,
  });
  try {
    await coordinator.publish(
      {
        ...o.plan,
        workload:
          o.plan.workload.kind === 'scenario' ? { ...o.plan.workload, file: '' } : o.plan.workload,
      },
      scenario,
      o.graceMs,
      o.stop,
    );
  } catch (error) {
    await coordinator.close();
    throw error;
  }
  return coordinator;
}

/** The result with the distributed run's section: each agent, what was lost, what did not add up. */
export function withInstances<R extends RunResult>(
  result: R,
  coordinator: Coordinator,
  redisUrl: string,
  log: (line: string) => void,
): R {
  const { instances, problems } = coordinator.summary(result.durationS);
  for (const problem of problems) log(`WARNING: ${problem}`);
  const saturated = instances.filter((i) => i.saturated).map((i) => i.index);
  if (saturated.length)
    log(
      `WARNING: agent(s) ${saturated.join(', ')} may have set the pace (${instances.find((i) => i.saturated)?.reasons.join('; ')}); add agents`,
    );
  return {
    ...result,
    distributed: {
      run: coordinator.runId,
      redis: redactUrl(redisUrl),
      instances: coordinator.count,
      lost: [...coordinator.lost],
      failure: coordinator.failure ?? null,
      problems,
    },
    instances,
  };
}
