import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerfError } from '../errors.js';
import type { ExitCode } from '../exit-codes.js';
import { EXIT } from '../exit-codes.js';
import { lostLine, plannedOutputs, writeOutputs, writeOutputsNow } from '../report/index.js';
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
  /** End the share when a task keeps the event loop this long (`--max-block`). */
  readonly maxBlockMs: number;
}

/**
 * Where an agent keeps its own partial result when no one else will (Redis or the coordinator
 * lost mid-run) and no --json was given: the temporary folder, which every machine and pod can
 * write (a pod's working folder may be read-only).
 */
function agentPartialPath(run: string, index: number): string {
  return join(tmpdir(), `fiml-perf-agent-${run}-${index}.json`);
}

/**
 * Runs an agent's share of a distributed run (the coordinator stops it; a Ctrl-C here ends it)
 * and writes its own result when asked, or when its run's record was lost (then to --json, or
 * to `agentPartialPath`, named on one line). Returns the exit code.
 */
export async function runAgentJob(job: AgentJob): Promise<ExitCode> {
  checkOutputs(plannedOutputs({ json: job.json }));
  const { runAgent } = await import('../distributed/index.js');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const { code, result, lost } = await runAgent({
    redisUrl: job.redisUrl,
    index: job.index,
    run: job.run,
    waitMs: job.waitMs,
    version: VERSION,
    log,
    keepResult: job.json !== undefined,
    maxBlockMs: job.maxBlockMs,
    // A task froze this agent: its share so far, written now (nothing asynchronous runs again).
    onStuck: (result) => {
      const run = (result.config.distributed as { run: string }).run;
      const json = job.json ?? agentPartialPath(run, job.index);
      const written = writeOutputsNow(result, { json }, {}, () => undefined);
      if (written.lost.length > 0) {
        log(lostLine(written));
        return EXIT.usage;
      }
      log(`This agent's partial result (its share until it froze): ${json}`);
      return EXIT.interrupted;
    },
  });
  if (!result) return code as ExitCode;
  const run = (result.config.distributed as { run: string }).run;
  const json = job.json ?? agentPartialPath(run, job.index);
  // The file is named once, on a line of its own; a lost run's line says why it is partial.
  const written = await writeOutputs(result, { json }, {}, lost ? () => undefined : log);
  if (written.lost.length > 0) throw new PerfError('FP_ERR_WRITE', lostLine(written));
  if (lost)
    log(
      `This agent's partial result (its share until it stopped; no one else recorded it): ${json}`,
    );
  return code as ExitCode;
}
