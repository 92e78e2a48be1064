import { PerfError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { type ClientConfig, prepareScenario, selectClasses } from '../load/index.js';
import type { MetricsPublisher } from '../monitor/index.js';
import { lostLine, plannedOutputs, writeOutputs } from '../report/index.js';
import type { StressEnv, StressOutcome } from '../stress/index.js';
import { VERSION } from '../version.js';
import { runLifecycle } from './lifecycle.js';
import { openRunDatabase } from './load.js';
import type { MetricsRequest } from './requests.js';

/** A stress kind's run, as `fiml-perf stress KIND` asks for it. */
export interface StressJob {
  readonly kind: string;
  /** What the kind does with its environment: phases of load, faults, a verdict. */
  readonly run: (env: StressEnv) => Promise<StressOutcome<unknown>>;
  /** The scenario whose classes make the traffic; null for a kind that needs none (faults). */
  readonly scenario: { readonly file: string; readonly typecheck: boolean } | null;
  readonly host: string | undefined;
  /** Extra `fiml-perf serve` flags for the embedded FIML. */
  readonly fimlArgs: readonly string[];
  readonly client: ClientConfig | undefined;
  readonly seed: number;
  readonly maxUsers: number;
  readonly timeoutMs: number;
  readonly quiet: boolean;
  readonly json: string | undefined;
  readonly html: string | undefined;
  readonly metrics: MetricsRequest | undefined;
  /** A PostgreSQL to watch over each phase (--postgres); else the embedded FIML's own. */
  readonly postgres?: string | undefined;
}

/** Runs a stress kind inside the lifecycle; prints its story and returns the exit code. */
export function runStressJob(job: StressJob): Promise<ExitCode> {
  const paths = { json: job.json, html: job.html };
  return runLifecycle(
    {
      stopping: (signal) => `${signal}: stopping; the results so far are kept (again to stop now)`,
      outputs: plannedOutputs(paths),
    },
    async (life) => {
      const classes = job.scenario
        ? selectClasses(await prepareScenario(job.scenario.file, job.scenario.typecheck), [])
        : [];
      life.checkpoint();
      const service = await life.service({
        host: job.host,
        client: job.client,
        fimlArgs: job.fimlArgs,
      });
      const { host } = service;
      const database = await openRunDatabase(life, job.postgres, service.databaseUrl);
      life.checkpoint();
      let published: MetricsPublisher | undefined;
      let ending = false;
      if (job.metrics) {
        const { publishMetrics } = await import('../monitor/index.js');
        published = await publishMetrics(
          job.metrics,
          { workload: `stress ${job.kind}`, host, version: VERSION },
          life.log,
        );
        const p = published;
        life.defer(() => (ending ? p.stopPushing() : p.close()));
      }
      const env: StressEnv = {
        host,
        classes,
        scenarioFile: job.scenario?.file ?? '',
        seed: job.seed,
        maxUsers: job.maxUsers,
        timeoutMs: job.timeoutMs,
        ...(job.client ? { client: job.client } : {}),
        graceMs: 5000,
        stop: life.stop.signal,
        abort: life.abort.signal,
        onProgress:
          job.quiet && !published
            ? undefined
            : (p) => {
                published?.onProgress(p);
                if (!job.quiet) life.progress.update(p);
              },
        ...(published ? { onTick: published.metrics.onTick } : {}),
        onWarning: (message) => life.log(`WARNING: ${message}`),
        note: life.log,
        version: VERSION,
        ...(database ? { database } : {}),
      };
      life.starting();
      const outcome = await job.run(env);
      // Whether the run was cut short: a Ctrl-C during the writes or the grace wait is not one.
      const interrupted = life.stop.signal.aborted;
      life.progress.clear();
      life.keep(async () => {
        const kept = await writeOutputs(outcome.result, paths, {}, life.log);
        if (kept.lost.length > 0) life.log(lostLine(kept));
      });
      published?.metrics.finish(outcome.result);
      const written = await writeOutputs(outcome.result, paths, {}, life.log);
      life.written();
      // The verdict matters more than the page: a report that cannot be written is a warning.
      const json = written.lost.filter((l) => l.path === job.json);
      for (const page of written.lost.filter((l) => l.path !== job.json))
        life.log(`WARNING: cannot write ${page.path} (${page.reason}); pick a writable --html`);
      process.stdout.write(`\nStress ${job.kind} against ${host}\n${outcome.lines.join('\n')}\n`);
      if (published) {
        ending = true;
        await life.release();
        const p = published;
        life.defer(() => p.close());
        await p.end(life.log, undefined, life.nextSignal());
      }
      if (json.length > 0)
        throw new PerfError('FP_ERR_WRITE', lostLine({ ...written, lost: json }));
      if (interrupted) return EXIT.interrupted;
      return outcome.passed ? EXIT.ok : EXIT.failed;
    },
  );
}
