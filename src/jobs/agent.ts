import { PerfError } from '../errors.js';
import type { ExitCode } from '../exit-codes.js';
import { lostLine, plannedOutputs, writeOutputs } from '../report/index.js';
import { VERSION } from '../version.js';
import { checkOutputs } from './lifecycle.js';

/** One agent of a distributed run, as `fiml-perf agent` asks for it. */
export interface AgentJob {
  readonly redisUrl: string;
  readonly index: number;
  readonly run: string | undefined;
  readonly waitMs: number;
  /** Write this agent's own result (its share only) here. */
  readonly json: string | undefined;
}

/**
 * Runs an agent's share of a distributed run (the coordinator stops it; a Ctrl-C here ends it)
 * and writes its own result when asked. Returns the exit code.
 */
export async function runAgentJob(job: AgentJob): Promise<ExitCode> {
  checkOutputs(plannedOutputs({ json: job.json }));
  const { runAgent } = await import('../distributed/index.js');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const { code, result } = await runAgent({
    redisUrl: job.redisUrl,
    index: job.index,
    run: job.run,
    waitMs: job.waitMs,
    version: VERSION,
    log,
    keepResult: job.json !== undefined,
  });
  if (result && job.json) {
    const written = await writeOutputs(result, { json: job.json }, {}, log);
    if (written.lost.length > 0) throw new PerfError('FP_ERR_WRITE', lostLine(written));
  }
  return code as ExitCode;
}
