import { EXIT, type ExitCode } from '../exit-codes.js';
import { prepareScenario, selectClasses } from '../load/index.js';
import type { MetricsPublisher } from '../monitor/index.js';
import { plannedOutputs } from '../report/index.js';
import {
  generateToken,
  isLoopback,
  type StartInput,
  startUiServer,
  type TargetsFiles,
  UiSession,
} from '../ui/index.js';
import { VERSION } from '../version.js';
import { runLifecycle } from './lifecycle.js';
import { openRunDatabase } from './load.js';
import type { LoadRequest, MetricsRequest, TargetsRequest } from './requests.js';

/** The live UI as `fiml-perf ui` (or `load --ui`) asks for it. */
export interface UiJob {
  readonly request: LoadRequest;
  /** User classes named on the command line: the form's default. */
  readonly classNames: readonly string[];
  /** What the form shows first (the command line's load, targets and host). */
  readonly defaults: (classes: readonly string[]) => StartInput;
  readonly targets: TargetsRequest | null;
  /** Which files the form's targets file may name (--targets-dir, or the folder it starts in). */
  readonly targetsFiles: TargetsFiles;
  /** How targets are judged when the form names some. */
  readonly targetSettings: {
    readonly abortOnFail: boolean;
    readonly allowUnknown: boolean;
    readonly healthPath: string;
    readonly metricsPath: string;
    /** `--exit-code-on-error`; undefined: 1 for a test without targets, none with them. */
    readonly exitCodeOnError?: number | undefined;
  };
  readonly web: {
    readonly host: string;
    readonly port: number;
    readonly token: string | undefined;
    readonly autostart: boolean;
    /** Quit this many seconds after a test ends; undefined: at Ctrl-C. */
    readonly autoquit: number | undefined;
  };
  readonly metrics: MetricsRequest | undefined;
  /** A PostgreSQL to watch over each test (--postgres); else the embedded FIML's own. */
  readonly postgres?: string | undefined;
}

/** The UI, from start to quit; returns the exit code (the last test's, or 0). */
export function runUiJob(job: UiJob): Promise<ExitCode> {
  const { request } = job;
  let running = () => false;
  return runLifecycle(
    {
      stopping: (signal) =>
        running()
          ? `${signal}: stopping the test (in-flight requests get ${request.graceMs / 1000}s; again to stop now), then quitting`
          : `${signal}: quitting`,
      stoppingNow: (signal) => `${signal} again: stopping now`,
      outputs: plannedOutputs({ json: request.json, csv: request.csv, html: request.html }),
    },
    async (life) => {
      const file = request.scenarioFile as string;
      // Loaded once (its top-level code runs once); every test started from the page runs it.
      const scenario = await prepareScenario(file, request.typecheck && !request.bundledScenario);
      const picked = selectClasses(scenario, job.classNames);
      const defaultClasses = [...scenario.classes]
        .filter(([, c]) => picked.includes(c))
        .map(([name]) => name);
      life.checkpoint();
      const token = job.web.token ?? (isLoopback(job.web.host) ? undefined : generateToken());
      const { host, embedded, databaseUrl } = await life.service({
        host: request.plan.host ?? scenario.classes.get(defaultClasses[0] ?? '')?.host,
        client: request.plan.client,
        // Unattended, a host that does not answer is a one-line error before anything is served;
        // from the page, each test probes its own host.
        probe: job.web.autostart ? undefined : false,
      });
      const database = await openRunDatabase(life, job.postgres, databaseUrl);
      life.checkpoint();
      const defaults = job.defaults(job.classNames.length > 0 ? defaultClasses : []);
      // The generator's metrics, for the UI's whole life: each test starts its counters again.
      let published: MetricsPublisher | undefined;
      let ending = false;
      let lastEndedAt: number | undefined;
      if (job.metrics) {
        const { publishMetrics } = await import('../monitor/index.js');
        published = await publishMetrics(
          job.metrics,
          { workload: `${file} (no test yet)`, host, version: VERSION },
          life.log,
        );
        const p = published;
        life.defer(() => (ending ? p.stopPushing() : p.close()));
      }
      const targets = job.targets;
      const session = new UiSession({
        scenarioFile: file,
        classes: scenario.classes,
        defaultClasses,
        plan: {
          seed: request.plan.seed,
          timeoutMs: request.plan.timeoutMs,
          headers: request.plan.headers,
          rawNames: request.plan.rawNames,
          maxNames: request.plan.maxNames,
          sharedPool: request.plan.sharedPool,
          client: request.plan.client,
        },
        defaultHost: host,
        embedded,
        ...(database ? { database } : {}),
        defaults,
        workers: request.workers,
        graceMs: request.graceMs,
        maxBlockMs: request.maxBlockMs,
        targetSettings: {
          windowMs: targets?.windowMs,
          abortOnFail: targets?.abortOnFail ?? job.targetSettings.abortOnFail,
          abortDelayMs: targets?.abortDelayMs ?? 10_000,
          allowUnknown: job.targetSettings.allowUnknown,
          healthPath: job.targetSettings.healthPath,
          metricsPath: job.targetSettings.metricsPath,
          exitCodeOnError: job.targetSettings.exitCodeOnError,
        },
        targetsFiles: job.targetsFiles,
        outputs: { json: request.json, csv: request.csv, html: request.html },
        version: VERSION,
        log: life.log,
        observe: published
          ? (test) => {
              const p = published as MetricsPublisher;
              p.restart({ ...test, version: VERSION });
              const metrics = p.metrics;
              return {
                onProgress: p.onProgress,
                onTick: metrics.onTick,
                finish: (result) => {
                  metrics.finish(result);
                  lastEndedAt = Date.now();
                  void p.pushNow(life.log);
                },
              };
            }
          : undefined,
      });
      running = () => session.state === 'running' || session.state === 'stopping';
      life.defer(() => session.close());
      const server = await startUiServer({
        session,
        host: job.web.host,
        port: job.web.port,
        token,
        log: life.log,
      });
      life.defer(() => server.close());
      life.log(`fiml-perf UI: ${server.url}  (Ctrl-C to quit)`);
      if (!isLoopback(job.web.host))
        life.log(
          `Listening on ${job.web.host}: open the address above with this machine's name or address; the token is required`,
        );

      let quitTimer: NodeJS.Timeout | undefined;
      life.defer(() => clearTimeout(quitTimer));
      let quitNow: () => void = () => undefined;
      const quit = new Promise<void>((resolve) => {
        quitNow = resolve;
      });
      const scheduleQuit = () => {
        if (job.web.autoquit === undefined) return;
        clearTimeout(quitTimer);
        life.log(`Quitting in ${job.web.autoquit}s (--autoquit)`);
        quitTimer = setTimeout(quitNow, job.web.autoquit * 1000);
      };
      session.subscribe((event) => {
        if (event.type !== 'snapshot' && event.type !== 'state') return;
        const state = event.data.state;
        if (state === 'stopped' && event.data.run?.ended) scheduleQuit();
        else if (state === 'starting' || state === 'running') clearTimeout(quitTimer);
      });
      // Ctrl-C from here: the test stops (in-flight requests get their grace), then the UI quits;
      // again: the test is cut off and the UI quits at once. One during the set-up ended it at a
      // checkpoint.
      life.starting();
      life.stop.signal.addEventListener('abort', () => void session.close().then(quitNow));
      life.abort.signal.addEventListener('abort', () => {
        void session.close();
        quitNow();
      });
      if (job.web.autostart) await session.start(defaults);
      await quit;
      await session.close();
      await server.close();
      // The last test's final values stay served --metrics-grace after it ended (Ctrl-C ends it).
      if (published && job.metrics) {
        const sinceEnd = lastEndedAt === undefined ? Infinity : Date.now() - lastEndedAt;
        ending = true;
        await life.release();
        const p = published;
        life.defer(() => p.close());
        await published.end(
          life.log,
          Math.max(0, job.metrics.graceMs - sinceEnd),
          life.nextSignal(),
        );
      }
      return (session.exitCode as ExitCode | undefined) ?? EXIT.ok;
    },
  );
}
