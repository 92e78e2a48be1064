import type { DatabaseSection, RunDatabase } from '../database/index.js';
import { PerfError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import {
  createExecutor,
  type Progress,
  prepareScenario,
  runLoad,
  selectClasses,
  type UserClass,
} from '../load/index.js';
import type { MetricsPublisher } from '../monitor/index.js';
import type { ServiceProfile, ServiceProfiler } from '../profile/index.js';
import {
  errorTable,
  generatorLine,
  loadPageBuilder,
  lostLine,
  namesLine,
  type OutputPaths,
  phasesTable,
  plannedOutputs,
  summaryTable,
  targetsTable,
  writeOutputs,
  writeOutputsNow,
} from '../report/index.js';
import type { RunResult, StatsRecorder } from '../stats/index.js';
import {
  failuresVerdict,
  type TargetedResult,
  TargetSession,
  targetsPassed,
} from '../targets/index.js';
import type { PlannedOutput } from '../util/writable.js';
import { VERSION } from '../version.js';
import { type Lifecycle, runLifecycle } from './lifecycle.js';
import type {
  DistributedRequest,
  LoadRequest,
  MetricsRequest,
  ProfileRequest,
  TargetsRequest,
} from './requests.js';

/** A load run as a command asks for it: `load`, `targets`, `run`, `profile`. */
export interface LoadJob {
  readonly request: LoadRequest;
  /** Targets to judge the run by; null for none. */
  readonly targets: TargetsRequest | null;
  /** Extra `fiml-perf serve` flags for the embedded FIML. */
  readonly fimlArgs?: readonly string[];
  /** Profile the service over the run's window (`profile`, `run --profile`). */
  readonly profile?: ProfileRequest | undefined;
  /** Publish the generator's figures to Prometheus (--metrics-port, --prometheus-push). */
  readonly metrics?: MetricsRequest | undefined;
  /** Run the plan on agents elsewhere, coordinated through Redis (--coordinator). */
  readonly distributed?: DistributedRequest | undefined;
  /** The Markdown summary's path (`run`'s summary.md). */
  readonly markdown?: string | undefined;
  /**
   * The exit code when a request failed or a task threw and the run would otherwise end 0
   * (`--exit-code-on-error`); undefined when failures do not decide (targets judge the run).
   */
  readonly exitCodeOnError?: number | undefined;
  /**
   * A PostgreSQL to watch over the run's window (--postgres); without it, the embedded FIML's
   * own database.
   */
  readonly postgres?: string | undefined;
}

/** A run's result, with the database's view of its window when one was watched. */
type LoadResult = (RunResult | TargetedResult) & { readonly database?: DatabaseSection };

/**
 * The database a run watches: --postgres, else the embedded FIML's own. Opened before the load,
 * so a wrong URL stops the run before it sends anything. @throws PerfError FP_ERR_DATABASE
 */
export async function openRunDatabase(
  life: Lifecycle,
  postgres: string | undefined,
  embedded: string | undefined,
): Promise<RunDatabase | undefined> {
  const url = postgres ?? embedded;
  if (!url) return undefined;
  const { watchRunDatabase } = await import('../database/index.js');
  const database = await watchRunDatabase(url, { source: postgres ? 'service' : 'fiml' });
  life.defer(() => database.close());
  life.log(`Watching ${database.describe}`);
  return database;
}

/** The window's database section; a database lost during the run costs the section, not the result. */
export async function endRunDatabase(
  life: Lifecycle,
  database: RunDatabase,
  result: RunResult,
): Promise<{ database?: DatabaseSection }> {
  try {
    return { database: await database.end(result.durationS) };
  } catch (error) {
    life.log(`WARNING: no database view of the run: ${(error as Error).message}`);
    return {};
  }
}

/** What a load job came to. */
export interface LoadOutcome {
  readonly result: RunResult | TargetedResult;
  /** One of EXIT, or the code `--exit-code-on-error` asked for. */
  readonly code: number;
  readonly profile?: ServiceProfile | undefined;
}

/** Everything a load job writes, for the check before it starts. */
export function loadJobOutputs(job: LoadJob): { paths: OutputPaths; planned: PlannedOutput[] } {
  const paths: OutputPaths = {
    json: job.request.json,
    csv: job.request.csv,
    junit: job.targets?.junit,
    html: job.request.html,
    markdown: job.markdown,
  };
  const profile: PlannedOutput[] = job.profile
    ? [{ flag: 'the profile folder', path: job.profile.out, kind: 'folder' }]
    : [];
  return { paths, planned: [...plannedOutputs(paths), ...profile] };
}

/** The scenario's user classes, loaded once (its top-level code runs once); none in quick mode. */
async function classesOf(request: LoadRequest): Promise<UserClass[]> {
  const workload = request.plan.workload;
  if (workload.kind !== 'scenario') return [];
  const scenario = await prepareScenario(
    request.scenarioFile as string,
    request.typecheck && !request.bundledScenario,
  );
  return selectClasses(scenario, workload.classNames);
}

/**
 * Runs a load job: the service (embedded FIML or --host), the run, targets, the profile, the
 * result written (JSON first; the kept result even when a later step fails), tables printed.
 * @throws PerfError for bad input found before the run, or FP_ERR_WRITE after it (the tables
 * printed first) when an output could not be written
 */
export function runLoadJob(job: LoadJob): Promise<LoadOutcome> {
  const { request } = job;
  const { paths, planned } = loadJobOutputs(job);
  return runLifecycle(
    {
      stopping: (signal) =>
        `${signal}: stopping; in-flight requests get ${request.graceMs / 1000}s (again to stop now)`,
      outputs: planned,
    },
    (life) => loadJob(job, paths, life),
  );
}

async function loadJob(job: LoadJob, paths: OutputPaths, life: Lifecycle): Promise<LoadOutcome> {
  const { request } = job;
  const classes = await classesOf(request);
  life.checkpoint();
  const asked = request.plan.host ?? classes.find((c) => c.host)?.host;
  if (!asked && job.distributed)
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      '--coordinator needs --host (or a URL): agents on other machines cannot reach a FIML embedded in the coordinator; start one with fiml-perf serve --host 0.0.0.0 and pass its address',
    );
  if (asked && job.profile && !job.profile.inspect)
    throw new PerfError(
      'FP_ERR_PROFILE',
      `profiling ${asked} needs its inspector: start the service with node --inspect=127.0.0.1:9229 and add --inspect http://127.0.0.1:9229`,
    );
  if (!asked && job.profile?.inspect)
    throw new PerfError(
      'FP_ERR_PROFILE',
      '--inspect names the inspector of the service at --host; give --host too (without both, the embedded FIML is profiled)',
    );
  const service = await life.service({
    host: asked,
    probe: request.plan.workload.kind === 'quick' ? request.plan.workload.url : undefined,
    client: request.plan.client,
    ...(job.fimlArgs ? { fimlArgs: job.fimlArgs } : {}),
    inspect: job.profile !== undefined,
  });
  const database = await openRunDatabase(life, job.postgres, service.databaseUrl);
  life.checkpoint();
  const host = service.host;
  const plan = { ...request.plan, host };
  const executor = createExecutor(plan.executor);
  const workload =
    plan.workload.kind === 'quick'
      ? `${plan.workload.method} ${plan.workload.url}`
      : `${plan.workload.file} (${classes.map((c) => c.name).join(', ')})`;

  const distributed = job.distributed;
  const coordinator = distributed
    ? await (await import('../distributed/index.js')).coordinate({
        ...distributed,
        plan,
        scenarioFile: request.scenarioFile,
        graceMs: request.graceMs,
        version: VERSION,
        stop: life.stop.signal,
        log: life.log,
      })
    : undefined;
  if (coordinator) life.defer(() => coordinator.close());
  life.checkpoint();

  let published: MetricsPublisher | undefined;
  let ending = false;
  if (job.metrics) {
    const { publishMetrics } = await import('../monitor/index.js');
    published = await publishMetrics(job.metrics, { workload, host, version: VERSION }, life.log);
    const p = published;
    // At the end the server stays up for --metrics-grace (after the rest is released); on a
    // failure it closes with the rest.
    life.defer(() => (ending ? p.stopPushing() : p.close()));
  }

  const profiler = job.profile
    ? await startProfiler(job.profile, service.inspectorUrl ?? job.profile.inspect, {
        host,
        durationMs: executor.durationMs,
        life,
      })
    : undefined;

  const session = job.targets
    ? await TargetSession.start({
        host,
        targets: job.targets.targets,
        windowMs: job.targets.windowMs,
        abortOnFail: job.targets.abortOnFail,
        abortDelayMs: job.targets.abortDelayMs,
        healthPath: job.targets.healthPath,
        metricsPath: job.targets.metricsPath,
        client: request.plan.client,
        onAbort: (outcome, at) => {
          life.log(
            `Target '${outcome.name}' (${outcome.expression}) failed at ${at.toFixed(0)}s with ${outcome.actual}: stopping (--abort-on-fail)`,
          );
          life.stop.abort();
        },
      })
    : undefined;
  let judged = false;
  if (session) life.defer(() => (judged ? undefined : session.cancel()));

  life.log(
    `Running ${workload} against ${host}: ${executor.describe(plan.workload.kind === 'quick' ? 'connections' : 'users')}${request.workers > 1 ? `, ${request.workers} workers` : ''}`,
  );
  if (profiler) {
    life.log(`Profiling ${host} ${profiler.describe()}`);
    try {
      await profiler.begin();
    } catch (error) {
      throw new PerfError(
        'FP_ERR_PROFILE',
        `cannot start the CPU profiler of ${host} (${(error as Error).message}); is the service still up?`,
      );
    }
  }
  const ticks = [session?.onTick, profiler?.onTick, published?.metrics.onTick].filter(
    (f): f is (recorder: StatsRecorder) => void => f !== undefined,
  );
  const show = request.quiet ? undefined : (p: Progress) => life.progress.update(p);
  const context = { allowUnknown: job.targets?.allowUnknown ?? false };
  // A task that freezes the thread leaves no time to load the pages' builder: it is loaded now.
  if (paths.html || paths.markdown) await loadPageBuilder();
  await database?.begin();
  life.starting();
  let result: LoadResult = await runLoad({
    plan,
    classes,
    workers: request.workers,
    graceMs: request.graceMs,
    maxHeapShare: request.maxHeapShare,
    maxBlockMs: request.maxBlockMs,
    // The thread is frozen: the outputs are written now, synchronously, and the process ends
    // (targets, a profile and metrics, which need the loop, are not finished).
    onStuck: (stuck) => {
      life.progress.clear();
      const written = writeOutputsNow(stuck, paths, context, life.log);
      process.stdout.write(
        `${[...resultLines(stuck, request), `Stopped early after ${stuck.durationS}s (${stuck.stopReason}).`].join('\n\n')}\n`,
      );
      if (written.lost.length === 0) return EXIT.interrupted;
      life.log(lostLine(written));
      return EXIT.usage;
    },
    stop: life.stop.signal,
    abort: life.abort.signal,
    onProgress: published
      ? (p) => {
          published?.onProgress(p);
          show?.(p);
        }
      : show,
    onWarning: (message) => life.log(`WARNING: ${message}`),
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
      embeddedFiml: service.embedded,
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
  life.progress.clear();
  // From here on, whatever fails, the run's result is written.
  life.keep(async () => {
    const kept = await writeOutputs(result, paths, context, life.log);
    if (kept.lost.length > 0) life.log(lostLine(kept));
  });
  await session?.endWindow();
  if (database) result = { ...result, ...(await endRunDatabase(life, database, result)) };
  if (session) {
    judged = true;
    result = await session.finish(result);
  }
  const profiled = profiler ? await profiler.finish(result, life.stop.signal.aborted) : undefined;
  if (profiled?.status === 'failed')
    life.log(
      `Profile failed: ${profiled.reason}. The load's result is written (exit ${EXIT.profileFailed}).`,
    );
  if (coordinator && distributed) {
    const { withInstances } = await import('../distributed/index.js');
    result = withInstances(result, coordinator, distributed.redisUrl, life.log);
  }
  published?.metrics.finish(result);
  const written = await writeOutputs(
    result,
    paths,
    { ...context, ...(profiled ? { profileDir: profiled.out } : {}) },
    life.log,
  );
  life.written();
  const targeted = 'targets' in result ? result : undefined;
  const abortedBy = targeted?.targets.abortedBy;
  const lost = result.distributed?.failure;
  let code: number = EXIT.ok;
  if (lost) code = EXIT.instanceLost;
  else if (result.interrupted && !abortedBy) code = EXIT.interrupted;
  else if (profiled?.status === 'failed') code = EXIT.profileFailed;
  else if (targeted && !targetsPassed(targeted.targets.summary, context.allowUnknown))
    code = EXIT.failed;
  // As Locust's: a run whose requests failed does not look green in CI (issue 26).
  const failures = code === EXIT.ok ? failuresVerdict(result, job.exitCodeOnError) : null;
  if (failures) code = failures.code;
  const out = [
    ...resultLines(result, request),
    targeted ? targetsTable(targeted.targets) : '',
    lost
      ? `Distributed run failed: ${lost}. The result is partial (exit ${EXIT.instanceLost}).`
      : '',
    result.interrupted && !abortedBy && !lost
      ? `Stopped early after ${result.durationS}s (${result.stopReason ?? 'interrupted'}).`
      : '',
    profiled?.status === 'complete' ? profiled.text.trim() : '',
    profiled?.status === 'failed'
      ? `Profile failed: ${profiled.reason}; ${profiled.out}/profile.json says so.`
      : '',
    failures?.line ?? '',
  ].filter(Boolean);
  process.stdout.write(`${out.join('\n\n')}\n`);
  if (published) {
    // The service, the coordinator and the inspector go first; the final figures stay served.
    ending = true;
    await life.release();
    const p = published;
    life.defer(() => p.close());
    await p.end(life.log, undefined, life.nextSignal());
  }
  // Files a CI job reads are missing: that is the outcome to report, whatever the run's verdict.
  if (written.lost.length > 0) throw new PerfError('FP_ERR_WRITE', lostLine(written));
  return { result, code, profile: profiled };
}

/** The summary printed after a run: its table, errors, the generator's health, names. */
function resultLines(result: RunResult, request: LoadRequest): string[] {
  return [
    '',
    summaryTable(result),
    request.phases ? phasesTable(result) : '',
    errorTable(result),
    generatorLine(result),
    namesLine(result),
  ].filter(Boolean);
}

/** Connects to the service's inspector and readies its profiler; both closed when the job ends. */
async function startProfiler(
  request: ProfileRequest,
  inspectAt: string | undefined,
  run: { readonly host: string; readonly durationMs: number; readonly life: Lifecycle },
): Promise<ServiceProfiler> {
  const { Inspector, ServiceProfiler } = await import('../profile/index.js');
  const inspector = await Inspector.connect(inspectAt as string, request.allowRemoteInspector);
  run.life.defer(() => inspector.close());
  const profiler = new ServiceProfiler(inspector, {
    warmupMs: request.warmupMs,
    durationMs: run.durationMs,
    samplingIntervalUs: request.samplingIntervalUs,
    heap: request.heap,
    heapEveryMs: request.heapEveryMs,
    heapSnapshots: request.heapSnapshots,
    out: request.out,
    top: request.top,
    target: run.host,
    note: run.life.log,
  });
  run.life.defer(() => profiler.dispose());
  return profiler;
}
