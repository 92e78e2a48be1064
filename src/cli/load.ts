import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { PerfError } from '../errors.js';
import {
  createExecutor,
  formatProblem,
  loadScenario,
  probeHost,
  runLoad,
  ScenarioError,
  selectClasses,
  typecheckScenario,
  type UserClass,
} from '../load/index.js';
import { errorTable, generatorLine, summaryTable, writeCsv, writeJson } from '../report/index.js';
import type { RunResult } from '../stats/index.js';
import { type EmbeddedFiml, startEmbeddedFiml } from './embedded-fiml.js';
import { EXIT } from './exit-codes.js';
import { type LoadRequest, loadOptions, resolveLoad } from './load-options.js';
import { addOptions, resolveOptions } from './option-table.js';
import { ProgressPrinter } from './progress.js';
import { VERSION } from './version.js';

/** Loads and checks the scenario's user classes. @throws PerfError FP_ERR_SCENARIO */
async function prepareScenario(
  request: LoadRequest,
  classNames: readonly string[],
): Promise<UserClass[]> {
  const file = request.scenarioFile as string;
  if (!existsSync(file))
    throw new PerfError(
      'FP_ERR_SCENARIO',
      `scenario file ${file} not found; pass a .ts or .js file with -f`,
    );
  if (request.typecheck && !request.bundledScenario && /\.[mc]?tsx?$/.test(file)) {
    const problems = await typecheckScenario(file);
    if (problems.length > 0) {
      const more =
        problems.length > 1 ? ` (and ${problems.length - 1} more: fiml-perf check -f ${file})` : '';
      throw new PerfError(
        'FP_ERR_SCENARIO',
        `${formatProblem(problems[0]!)}${more}; fix it or pass --no-typecheck`,
      );
    }
  }
  try {
    return selectClasses(await loadScenario(file), classNames);
  } catch (error) {
    if (error instanceof ScenarioError) throw new PerfError('FP_ERR_SCENARIO', error.message);
    throw error;
  }
}

/** Writes the result files; a failure to write is reported but the summary still prints. */
function writeResults(
  result: RunResult,
  request: LoadRequest,
  log: (line: string) => void,
): string[] {
  const problems: string[] = [];
  if (request.json) {
    try {
      writeJson(result, request.json);
      log(`Result: ${request.json}`);
    } catch (error) {
      problems.push(`cannot write ${request.json}: ${(error as Error).message}`);
    }
  }
  if (request.csv) {
    try {
      log(`CSV: ${writeCsv(result, request.csv).join(', ')}`);
    } catch (error) {
      problems.push(`cannot write CSV ${request.csv}_*.csv: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** Runs `fiml-perf load` from resolved flags; returns the exit code. */
export async function load(request: LoadRequest, classNames: readonly string[]): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const classes =
    request.plan.workload.kind === 'scenario' ? await prepareScenario(request, classNames) : [];
  let fiml: EmbeddedFiml | undefined;
  let host = request.plan.host ?? classes.find((c) => c.host)?.host;
  if (!host) {
    fiml = await startEmbeddedFiml();
    host = fiml.url;
    err(`Embedded FIML started at ${host}`);
  } else {
    const problem = await probeHost(
      request.plan.workload.kind === 'quick' ? request.plan.workload.url : host,
    );
    if (problem)
      throw new PerfError(
        'FP_ERR_HOST_UNREACHABLE',
        `cannot reach ${host}: ${problem}; start the service or fix --host/the URL`,
      );
  }
  const stop = new AbortController();
  const abort = new AbortController();
  const progress = new ProgressPrinter();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stop.signal.aborted) {
      progress.note(
        `${signal}: stopping; in-flight requests get ${request.graceMs / 1000}s (again to stop now)`,
      );
      stop.abort();
    } else if (!abort.signal.aborted) {
      progress.note(`${signal} again: stopping now and writing what was recorded`);
      abort.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const plan = { ...request.plan, host };
  const workload =
    plan.workload.kind === 'quick'
      ? `${plan.workload.method} ${plan.workload.url}`
      : `${plan.workload.file} (${classes.map((c) => c.name).join(', ')})`;
  let result: RunResult;
  try {
    err(
      `Running ${workload} against ${host}: ${createExecutor(plan.executor).describe()}${request.workers > 1 ? `, ${request.workers} workers` : ''}`,
    );
    result = await runLoad({
      plan,
      classes,
      workers: request.workers,
      graceMs: request.graceMs,
      stop: stop.signal,
      abort: abort.signal,
      onProgress: request.quiet ? undefined : (p) => progress.update(p),
      onWarning: (message) => progress.note(`WARNING: ${message}`),
      version: VERSION,
      config: {
        workload: plan.workload,
        executor: plan.executor,
        host,
        embeddedFiml: fiml !== undefined,
        workers: request.workers,
        seed: plan.seed,
        timeoutMs: plan.timeoutMs,
        graceMs: request.graceMs,
        userClasses: classes.map((c) => ({
          name: c.name,
          weight: c.weight,
          waitTime: c.waitTime.description,
        })),
      },
    });
  } finally {
    progress.clear();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await fiml?.stop();
  }
  const problems = writeResults(result, request, err);
  const out = [
    '',
    summaryTable(result),
    errorTable(result),
    generatorLine(result),
    result.interrupted ? `Stopped early after ${result.durationS}s (interrupted).` : '',
  ].filter(Boolean);
  process.stdout.write(`${out.join('\n\n')}\n`);
  if (problems.length > 0)
    throw new PerfError('FP_ERR_WRITE', `${problems.join('; ')}; pick a writable path`);
  return result.interrupted ? EXIT.interrupted : EXIT.ok;
}

export function registerLoad(program: Command): void {
  const command = program
    .command('load')
    .argument(
      '[url-or-users...]',
      'a URL to hammer (quick mode), or user classes of the scenario to run',
    )
    .description(
      'run a load test: a TypeScript scenario (closed or open model), or one URL (quick mode)',
    )
    .addHelpText(
      'after',
      `
Examples:
  fiml-perf load                                   standard FIML mix, 10 users, 30s, embedded FIML
  fiml-perf load -u 100 -r 10 -t 5m --json out.json
  fiml-perf load -f scenarios/fiml.ts HighLoadUser --host http://127.0.0.1:8000
  fiml-perf load --rate 500 --max-users 200 -t 1m    open model: 500 iterations/s
  fiml-perf load --stages 30s:100,2m:100,30s:0
  fiml-perf load http://127.0.0.1:8000/health -c 50 -d 10s    quick mode, as autocannon
  fiml-perf load http://127.0.0.1:8000/x --rate 10000 -m POST -H 'content-type: application/json' -b '{}'

Docs: docs/load.md`,
    );
  addOptions(command, loadOptions).action(async (args: string[], raw: Record<string, unknown>) => {
    const flags = resolveOptions(loadOptions, raw);
    const request = resolveLoad(flags, args);
    const classNames =
      request.plan.workload.kind === 'scenario' ? request.plan.workload.classNames : [];
    process.exitCode = await load(request, classNames);
  });
}
