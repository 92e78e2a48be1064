import { existsSync } from 'node:fs';
import type { Coordinator } from '../distributed/coordinator.js';
import { redactUrl } from '../distributed/protocol.js';
import { PerfError } from '../errors.js';
import {
  assertReachable,
  createExecutor,
  formatProblem,
  loadScenario,
  type Progress,
  runLoad,
  ScenarioError,
  selectClasses,
  typecheckScenario,
  type UserClass,
} from '../load/index.js';
import type { Inspector } from '../profile/index.js';
import {
  errorTable,
  generatorLine,
  namesLine,
  phasesTable,
  summaryTable,
  targetsJunit,
  targetsTable,
  writeCsv,
  writeFileAtomic,
  writeJson,
} from '../report/index.js';
import type { RunResult } from '../stats/index.js';
import { type TargetedResult, TargetSession, type TargetsReport } from '../targets/index.js';
import type { DistributedRequest } from './distributed-options.js';
import { type EmbeddedFiml, startEmbeddedFiml } from './embedded-fiml.js';
import { EXIT } from './exit-codes.js';
import type { LoadRequest } from './load-options.js';
import { type MetricsRequest, publishMetrics } from './metrics-options.js';
import { ProgressPrinter } from './progress.js';
import type { ServiceProfile, ServiceProfileOptions, ServiceProfiler } from './service-profiler.js';
import type { TargetsRequest } from './target-options.js';
import { VERSION } from './version.js';

/**
 * Loads and checks the scenario's user classes; `typecheck` type-checks a .ts file first (the
 * bundled scenario is checked by this repository's CI). @throws PerfError FP_ERR_SCENARIO
 */
export async function prepareScenario(
  file: string,
  typecheck: boolean,
  classNames: readonly string[],
): Promise<UserClass[]> {
  if (!existsSync(file))
    throw new PerfError(
      'FP_ERR_SCENARIO',
      `scenario file ${file} not found; pass a .ts or .js file with -f`,
    );
  if (typecheck && /\.[mc]?tsx?$/.test(file)) {
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

/** Writes the HTML report of a finished run; a failure to write is reported, not thrown. */
export async function writeHtmlReport(
  result: RunResult,
  path: string,
  log: (line: string) => void,
  /** A profile folder of the same run, shown in "Bottlenecks and recommendations". */
  profileDir?: string,
): Promise<string | undefined> {
  try {
    const { buildRunReport } = await import('../report/html/build.js');
    const { readProfileSummary } = await import('../report/html/profile-section.js');
    const profile = profileDir ? readProfileSummary(profileDir, path) : undefined;
    if (typeof profile === 'string') throw new Error(profile);
    writeFileAtomic(path, buildRunReport(result, undefined, profile).html);
    log(`HTML report: ${path}`);
    return undefined;
  } catch (error) {
    return `cannot write the HTML report ${path}: ${(error as Error).message}`;
  }
}

/** How `run --profile` profiles the service under its load. */
export interface ProfileJob {
  readonly options: Omit<ServiceProfileOptions, 'note' | 'durationMs'>;
  /** The inspector of the service at --host; the embedded FIML's without --host. */
  readonly inspect: string | undefined;
}

/** A load run as a command asks for it. */
export interface LoadJob {
  readonly request: LoadRequest;
  readonly classNames: readonly string[];
  /** Targets to judge the run by; null for none. */
  readonly targets: TargetsRequest | null;
  /** Extra `fiml-perf serve` flags for the embedded FIML. */
  readonly fimlArgs?: readonly string[];
  /** Profile the service over the run's window (`run --profile`). */
  readonly profile?: ProfileJob;
  /** Publish the generator's figures to Prometheus (--metrics-port, --prometheus-push). */
  readonly metrics?: MetricsRequest | undefined;
  /** Run the plan on agents elsewhere, coordinated through Redis (--coordinator). */
  readonly distributed?: DistributedRequest | undefined;
}

/** Whether the targets let the run pass: none failed, and none unknown unless allowed. */
export function targetsPassed(report: TargetsReport, allowUnknown: boolean): boolean {
  return report.summary.fail === 0 && (allowUnknown || report.summary.unknown === 0);
}

/**
 * Runs a load job: embedded FIML or --host, the run, targets, results written, tables printed.
 * Returns the result and the exit code.
 */
export async function runLoadJob(
  job: LoadJob,
): Promise<{ result: RunResult | TargetedResult; code: number }> {
  const { request, classNames } = job;
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const classes =
    request.plan.workload.kind === 'scenario'
      ? await prepareScenario(
          request.scenarioFile as string,
          request.typecheck && !request.bundledScenario,
          classNames,
        )
      : [];
  let fiml: EmbeddedFiml | undefined;
  let host = request.plan.host ?? classes.find((c) => c.host)?.host;
  let inspectAt = job.profile?.inspect;
  if (!host && job.distributed)
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      '--coordinator needs --host (or a URL): agents on other machines cannot reach a FIML embedded in the coordinator; start one with fiml-perf serve --host 0.0.0.0 and pass its address',
    );
  if (!host) {
    fiml = await startEmbeddedFiml(job.fimlArgs, { inspect: job.profile !== undefined });
    host = fiml.url;
    inspectAt = fiml.inspectorUrl;
    err(`Embedded FIML started at ${host}${job.profile ? ', its inspector on loopback' : ''}`);
  } else {
    if (job.profile && !inspectAt)
      throw new PerfError(
        'FP_ERR_PROFILE',
        `profiling ${host} needs its inspector: start the service with node --inspect=127.0.0.1:9229 and add --inspect http://127.0.0.1:9229`,
      );
    await assertReachable(
      request.plan.workload.kind === 'quick' ? request.plan.workload.url : host,
      request.plan.client,
      'start the service or fix --host/the URL',
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
  let result: RunResult | TargetedResult;
  let session: TargetSession | undefined;
  let inspector: Inspector | undefined;
  let profiler: ServiceProfiler | undefined;
  let profiled: ServiceProfile | undefined;
  let published: Awaited<ReturnType<typeof publishMetrics>> | undefined;
  let coordinator: Coordinator | undefined;
  try {
    if (job.distributed)
      coordinator = await startCoordinator(
        job.distributed,
        request,
        { ...plan, host },
        stop.signal,
        err,
      );
    if (job.metrics)
      published = await publishMetrics(job.metrics, { workload, host, version: VERSION }, err);
    if (job.profile) {
      const [{ Inspector }, { ServiceProfiler }] = await Promise.all([
        import('../profile/index.js'),
        import('./service-profiler.js'),
      ]);
      inspector = await Inspector.connect(inspectAt as string);
      profiler = new ServiceProfiler(inspector, {
        ...job.profile.options,
        durationMs: createExecutor(plan.executor).durationMs,
        note: (line) => progress.note(line),
      });
    }
    if (job.targets) {
      const targets = job.targets;
      session = await TargetSession.start({
        host,
        targets: targets.targets,
        windowMs: targets.windowMs,
        abortOnFail: targets.abortOnFail,
        abortDelayMs: targets.abortDelayMs,
        healthPath: targets.healthPath,
        metricsPath: targets.metricsPath,
        client: request.plan.client,
        onAbort: (outcome, at) => {
          progress.note(
            `Target '${outcome.name}' (${outcome.expression}) failed at ${at.toFixed(0)}s with ${outcome.actual}: stopping (--abort-on-fail)`,
          );
          stop.abort();
        },
      });
    }
    err(
      `Running ${workload} against ${host}: ${createExecutor(plan.executor).describe()}${request.workers > 1 ? `, ${request.workers} workers` : ''}`,
    );
    if (profiler) {
      err(`Profiling ${host} ${profiler.describe()}`);
      await profiler.begin();
    }
    const ticks = [session?.onTick, profiler?.onTick, published?.metrics.onTick].filter(
      (f) => f !== undefined,
    );
    const show = request.quiet ? undefined : (p: Progress) => progress.update(p);
    result = await runLoad({
      plan,
      classes,
      workers: request.workers,
      graceMs: request.graceMs,
      stop: stop.signal,
      abort: abort.signal,
      onProgress: published
        ? (p) => {
            published?.onProgress(p);
            show?.(p);
          }
        : show,
      onWarning: (message) => progress.note(`WARNING: ${message}`),
      onEnd: published?.metrics.onTick,
      remote: coordinator,
      onTick: ticks.length
        ? (recorder) => {
            for (const tick of ticks) tick(recorder);
          }
        : undefined,
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
    if (session) result = await session.finish(result);
    if (profiler)
      try {
        profiled = await profiler.finish(result, host, stop.signal.aborted);
      } catch (error) {
        // The run's result counts more than its profile: say why there is none, and go on.
        if (!(error instanceof PerfError)) throw error;
        progress.note(`No profile: ${error.message}`);
      }
    if (coordinator) result = withInstances(result, coordinator, job.distributed, err);
    published?.metrics.finish(result);
  } finally {
    await coordinator?.close();
    profiler?.dispose();
    inspector?.close();
    published?.stopPushing();
    progress.clear();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await fiml?.stop();
  }
  const problems = writeResults(result, request, err);
  const targeted = 'targets' in result ? result : undefined;
  if (targeted && job.targets?.junit) {
    try {
      writeFileAtomic(
        job.targets.junit,
        targetsJunit(targeted.targets, {
          suite: `fiml-perf targets (${targeted.target})`,
          timestamp: targeted.startedAt,
          seconds: targeted.durationS,
          allowUnknown: job.targets.allowUnknown,
        }),
      );
      err(`JUnit: ${job.targets.junit}`);
    } catch (error) {
      problems.push(`cannot write ${job.targets.junit}: ${(error as Error).message}`);
    }
  }
  if (request.html) {
    const problem = await writeHtmlReport(result, request.html, err, profiled?.out);
    if (problem) problems.push(problem);
  }
  const abortedBy = targeted?.targets.abortedBy;
  const lost = result.distributed?.failure;
  const out = [
    '',
    summaryTable(result),
    request.phases ? phasesTable(result) : '',
    errorTable(result),
    generatorLine(result),
    namesLine(result),
    targeted ? targetsTable(targeted.targets) : '',
    lost
      ? `Distributed run failed: ${lost}. The result is partial (exit ${EXIT.instanceLost}).`
      : '',
    result.interrupted && !abortedBy && !lost
      ? `Stopped early after ${result.durationS}s (interrupted).`
      : '',
    profiled?.text.trim() ?? '',
  ].filter(Boolean);
  process.stdout.write(`${out.join('\n\n')}\n`);
  if (problems.length > 0)
    throw new PerfError('FP_ERR_WRITE', `${problems.join('; ')}; pick a writable path`);
  if (published) await published.end(err);
  let code: number = EXIT.ok;
  if (lost) code = EXIT.instanceLost;
  else if (result.interrupted && !abortedBy) code = EXIT.interrupted;
  else if (targeted && !targetsPassed(targeted.targets, job.targets?.allowUnknown ?? false))
    code = EXIT.failed;
  return { result, code };
}

/**
 * Connects to the run's Redis, publishes the plan (the scenario bundled in it) and waits for
 * every agent. @throws PerfError when Redis does not answer or the agents do not all come
 */
async function startCoordinator(
  d: DistributedRequest,
  request: LoadRequest,
  plan: LoadRequest['plan'] & { host: string },
  stop: AbortSignal,
  err: (line: string) => void,
): Promise<Coordinator> {
  const { Coordinator, bundleScenario } = await import('../distributed/index.js');
  const scenario =
    plan.workload.kind === 'scenario'
      ? await bundleScenario(request.scenarioFile as string)
      : undefined;
  const coordinator = await Coordinator.connect({
    redisUrl: d.redisUrl,
    instances: d.instances,
    run: d.run,
    readyTimeoutMs: d.readyTimeoutMs,
    heartbeatTimeoutMs: d.heartbeatTimeoutMs,
    version: VERSION,
    log: err,
  });
  await coordinator.publish(
    {
      ...plan,
      workload: plan.workload.kind === 'scenario' ? { ...plan.workload, file: '' } : plan.workload,
    },
    scenario,
    request.graceMs,
    stop,
  );
  return coordinator;
}

/** The result with the distributed run's section: each agent, what was lost, what did not add up. */
function withInstances<R extends RunResult>(
  result: R,
  coordinator: Coordinator,
  d: DistributedRequest | undefined,
  err: (line: string) => void,
): R {
  const { instances, problems } = coordinator.summary(result.durationS);
  for (const problem of problems) err(`WARNING: ${problem}`);
  const saturated = instances.filter((i) => i.saturated).map((i) => i.index);
  if (saturated.length)
    err(
      `WARNING: agent(s) ${saturated.join(', ')} may have set the pace (${instances.find((i) => i.saturated)?.reasons.join('; ')}); add agents`,
    );
  return {
    ...result,
    distributed: {
      run: coordinator.runId,
      redis: d ? redactUrl(d.redisUrl) : '',
      instances: coordinator.count,
      lost: [...coordinator.lost],
      failure: coordinator.failure ?? null,
      problems,
    },
    instances,
  };
}
