import { PerfError } from '../errors.js';
import { assertReachable, loadScenario, ScenarioError, selectClasses } from '../load/index.js';
import {
  generateToken,
  isLoopback,
  type StartInput,
  startSchema,
  startUiServer,
  UiError,
  type UiServer,
  UiSession,
} from '../ui/index.js';
import { type EmbeddedFiml, startEmbeddedFiml } from './embedded-fiml.js';
import { prepareScenario } from './load-job.js';
import type { LoadRequest } from './load-options.js';
import { publishMetrics, resolveMetrics } from './metrics-options.js';
import { resolveTargets } from './target-options.js';
import type { UiFlags } from './ui.js';
import { VERSION } from './version.js';

const err = (line: string) => process.stderr.write(`${line}\n`);

/** What the form shows first: the command line's load, targets and host. */
function formDefaults(
  flags: UiFlags,
  request: LoadRequest,
  classes: readonly string[],
): StartInput {
  const executor = request.plan.executor;
  const open = executor.type === 'constant-arrival-rate';
  return startSchema.parse({
    host: flags.host ?? '',
    classes: [...classes],
    model: open ? 'open' : 'closed',
    ...(executor.type === 'constant-users'
      ? { users: executor.users, spawnRate: executor.spawnRate }
      : {}),
    ...(open ? { rate: executor.rate, maxUsers: executor.maxUsers } : {}),
    runTime: flags.runTime ?? flags.duration ?? '',
    targetsFile: flags.targets ?? '',
    targets: flags.target,
  });
}

/** The UI, from start to quit; returns the exit code (the last test's, or 0). */
export async function runUiJob(
  flags: UiFlags,
  args: readonly string[],
  request: LoadRequest,
): Promise<number> {
  const file = request.scenarioFile as string;
  // Type-checked once here; every test started from the page runs the same file.
  await prepareScenario(file, request.typecheck && !request.bundledScenario, []);
  let scenario: Awaited<ReturnType<typeof loadScenario>>;
  let defaultClasses: string[];
  try {
    scenario = await loadScenario(file);
    const picked = selectClasses(scenario, args);
    defaultClasses = [...scenario.classes].filter(([, c]) => picked.includes(c)).map(([n]) => n);
  } catch (error) {
    if (error instanceof ScenarioError) throw new PerfError('FP_ERR_SCENARIO', error.message);
    throw error;
  }
  // Bad targets are found now, not at the first start.
  const targets = await resolveTargets(flags, false);
  const token = flags.webToken ?? (isLoopback(flags.webHost) ? undefined : generateToken());
  let fiml: EmbeddedFiml | undefined;
  let host = request.plan.host ?? scenario.classes.get(defaultClasses[0] ?? '')?.host;
  if (!host) {
    fiml = await startEmbeddedFiml();
    host = fiml.url;
    err(`Embedded FIML started at ${host}`);
  } else if (flags.autostart) {
    // Unattended: a host that does not answer is a one-line error before anything is served.
    await assertReachable(host, request.plan.client, 'start the service or fix --host');
  }
  const defaults = formDefaults(flags, request, args.length > 0 ? defaultClasses : []);
  // The generator's metrics, for the UI's whole life: each test starts its counters again.
  const metricsRequest = resolveMetrics(flags);
  let published: Awaited<ReturnType<typeof publishMetrics>> | undefined;
  let lastEndedAt: number | undefined;
  try {
    if (metricsRequest)
      published = await publishMetrics(
        metricsRequest,
        { workload: `${file} (no test yet)`, host, version: VERSION },
        err,
      );
  } catch (error) {
    await fiml?.stop();
    throw error;
  }
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
    embedded: fiml !== undefined,
    defaults,
    workers: request.workers,
    graceMs: request.graceMs,
    targetSettings: {
      windowMs: targets?.windowMs,
      abortOnFail: targets?.abortOnFail ?? flags.abortOnFail,
      abortDelayMs: targets?.abortDelayMs ?? 10_000,
      allowUnknown: flags.allowUnknown,
      healthPath: flags.healthPath,
      metricsPath: flags.metricsPath,
    },
    outputs: { json: request.json, csv: request.csv, html: request.html },
    version: VERSION,
    log: err,
    observe: published
      ? (test) => {
          const p = published as NonNullable<typeof published>;
          p.restart({ ...test, version: VERSION });
          const metrics = p.metrics;
          return {
            onProgress: p.onProgress,
            onTick: metrics.onTick,
            finish: (result) => {
              metrics.finish(result);
              lastEndedAt = Date.now();
              void p.pushNow(err);
            },
          };
        }
      : undefined,
  });
  let server: UiServer;
  try {
    server = await startUiServer({
      session,
      host: flags.webHost,
      port: flags.webPort,
      token,
      log: err,
    });
  } catch (error) {
    published?.stopPushing();
    await fiml?.stop();
    throw error;
  }
  err(`fiml-perf UI: ${server.url}  (Ctrl-C to quit)`);
  if (!isLoopback(flags.webHost))
    err(
      `Listening on ${flags.webHost}: open the address above with this machine's name or address; the token is required`,
    );

  let quitTimer: NodeJS.Timeout | undefined;
  let finish: () => void = () => undefined;
  const quit = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const scheduleQuit = () => {
    if (flags.autoquit === undefined) return;
    clearTimeout(quitTimer);
    err(`Quitting in ${flags.autoquit}s (--autoquit)`);
    quitTimer = setTimeout(finish, flags.autoquit * 1000);
  };
  session.subscribe((event) => {
    if (event.type !== 'snapshot' && event.type !== 'state') return;
    const state = event.data.state;
    if (state === 'stopped' && event.data.run?.ended) scheduleQuit();
    else if (state === 'starting' || state === 'running') clearTimeout(quitTimer);
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      const running = session.state === 'running' || session.state === 'stopping';
      err(
        running
          ? `${signal}: stopping the test (in-flight requests get ${request.graceMs / 1000}s; again to stop now), then quitting`
          : `${signal}: quitting`,
      );
      void session.close().then(finish);
    } else {
      err(`${signal} again: stopping now`);
      void session.close();
      finish();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (flags.autostart) {
      try {
        await session.start(defaults);
      } catch (error) {
        if (error instanceof UiError) throw new PerfError(error.code, error.message);
        throw error;
      }
    }
    await quit;
    await session.close();
  } finally {
    clearTimeout(quitTimer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await server.close();
    await fiml?.stop();
    published?.stopPushing();
  }
  // The last test's final values stay served --metrics-grace after it ended (Ctrl-C ends it).
  if (published && metricsRequest) {
    const sinceEnd = lastEndedAt === undefined ? Infinity : Date.now() - lastEndedAt;
    await published.end(err, Math.max(0, metricsRequest.graceMs - sinceEnd));
  }
  return session.exitCode;
}
