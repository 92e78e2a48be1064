import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { PerfError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import {
  createExecutor,
  DEFAULT_MAX_BLOCK_MS,
  GeneratorMonitor,
  type LoadPlan,
  partOf,
  ScenarioError,
  type Segment,
  type ShareEnd,
  ShareRun,
  watchShare,
} from '../load/index.js';
import {
  buildResult,
  decodeHistogram,
  NameFolds,
  type RunResult,
  StatsRecorder,
} from '../stats/index.js';
import {
  type Control,
  type DistributedPlan,
  decode,
  deltaTotals,
  encode,
  PROTOCOL,
  planKeys,
  type Report,
  RUNS_KEY,
  runKeys,
} from './protocol.js';
import { clockOffset, connectRedis, duplicateOf, type StreamReply } from './redis.js';

export interface AgentOptions {
  readonly redisUrl: string;
  readonly index: number;
  /** Join this run only; otherwise the newest run still waiting for agents. */
  readonly run?: string | undefined;
  /** How long to wait for a run to join. */
  readonly waitMs: number;
  readonly version: string;
  readonly log: (line: string) => void;
  /**
   * Return this agent's own result (its share only), as a single run's, even when the run ends
   * well; a run whose record is lost (Redis or the coordinator gone) returns it in any case.
   */
  readonly keepResult?: boolean;
  /** End the share when a task keeps the event loop this long. @default 5000 */
  readonly maxBlockMs?: number;
  /**
   * A task froze this agent (see load/watchdog.ts): write its partial result, synchronously, and
   * return the exit code; the process ends then (the coordinator sees the agent lost).
   */
  readonly onStuck?: (result: RunResult) => number;
}

/** How an agent's run ended when no one will record its load (`lost` in `runAgent`'s answer). */
export type AgentLoss = 'redis' | 'coordinator';

/** Exit code of an agent whose run was aborted (an agent, the coordinator or Redis lost). */
export const AGENT_ABORTED = EXIT.instanceLost;

const FIX = 'start Redis or fix the URL given to fiml-perf agent';

/**
 * One instance of a distributed run: joins it, runs its segment of the plan from the common
 * start, and sends a stats delta (its heartbeat) every second. @returns the exit code: 0 when
 * its share ran to the end (or was stopped by the coordinator), 3 when the run was aborted or
 * the coordinator or Redis went silent for the run's heartbeat timeout (then `lost`, and its own
 * partial `result`). @throws PerfError for what the user must fix (exit 2)
 */
export async function runAgent(o: AgentOptions): Promise<{
  code: number;
  result?: RunResult | undefined;
  /** Redis or the coordinator went silent mid-run: `result` is the only record of its load. */
  lost?: AgentLoss | undefined;
}> {
  const redis = await connectRedis(o.redisUrl, FIX, o.waitMs, o.log);
  const reader = duplicateOf(redis);
  let folder: string | undefined;
  try {
    const published = await findRun(redis, reader, o);
    const keys = { ...runKeys(published.run), ...planKeys(published.run, published.id) };
    const segment: Segment = { index: o.index, count: published.instances };
    if (o.index >= published.instances)
      throw new PerfError(
        'FP_ERR_DISTRIBUTED',
        `index ${o.index} is beyond run ${published.run}'s ${published.instances} instance(s) (0 to ${published.instances - 1}); fix --index`,
      );
    const agent = `${hostname()}:${process.pid}`;
    const offset = await clockOffset(redis);
    // When Redis last answered a command: its silence is judged on this (below).
    let answeredAt = Date.now();
    const answered = <T>(value: T): T => {
      answeredAt = Date.now();
      return value;
    };
    const send = (report: Report) =>
      redis.xadd(keys.up, 'MAXLEN', '~', '100000', '*', ...encode(report)).then(answered);
    await send({
      type: 'hello',
      index: o.index,
      agent,
      version: o.version,
      clockOffsetMs: offset,
    });
    o.log(
      `Agent ${o.index} of ${published.instances} joined run ${published.run}${published.version !== o.version ? ` (coordinator ${published.version}, this agent ${o.version})` : ''}`,
    );
    // The scenario travels in the plan, bundled: written here, loaded as any scenario is.
    let plan: LoadPlan = { ...published.plan, executor: partOf(published.plan.executor, segment) };
    if (plan.workload.kind === 'scenario') {
      if (!published.scenario)
        throw new PerfError('FP_ERR_DISTRIBUTED', `run ${published.run}'s plan has no scenario`);
      folder = mkdtempSync(join(tmpdir(), 'fiml-perf-agent-'));
      const file = join(folder, published.scenario.fileName);
      writeFileSync(file, published.scenario.source);
      plan = { ...plan, workload: { ...plan.workload, file } };
    }
    let seq = 0;
    let startedAt: number | undefined;
    let dropped = false;
    const totals = { requests: 0, failures: 0, ticks: 0 };
    const monitor = new GeneratorMonitor(false);
    // Its own share as a run of its own: the deltas it sends, merged here too, for --json and
    // for a run whose record is lost with Redis or the coordinator (then the only record).
    let own: StatsRecorder | undefined;
    const share = new ShareRun({
      plan,
      segment,
      graceMs: published.graceMs,
      onStart: () => {
        startedAt = Date.now() - offset;
        monitor.sample();
        // It names its deltas' provisional names itself: the coordinator's record decides
        // the run's names, this one is the agent's own.
        own = new StatsRecorder(Date.now(), { maxNames: plan.maxNames, names: new NameFolds() });
      },
      onDropped: () => {
        dropped = true;
      },
      onDelta: (delta, users) => {
        const t = deltaTotals(delta);
        totals.requests += t.requests;
        totals.failures += t.failures;
        totals.ticks++;
        own?.merge(delta);
        own?.tick(Date.now(), users);
        send({
          type: 'tick',
          index: o.index,
          seq: ++seq,
          delta,
          users,
          cpuPercent: monitor.sample(),
          ...(seq === 1 && startedAt !== undefined ? { startedAt } : {}),
          ...(dropped ? { dropped: true } : {}),
          // A tick Redis did not take shows as a gap in the run's reconciliation.
        }).catch(() => undefined);
        dropped = false;
      },
    });
    let run: (startAt: number) => ReturnType<Awaited<ReturnType<ShareRun['prepare']>>>;
    try {
      run = await share.prepare();
    } catch (error) {
      const message =
        error instanceof ScenarioError ? error.message : (error as Error).message.split('\n')[0];
      await send({ type: 'failed', index: o.index, agent, message: message ?? 'unknown' });
      throw new PerfError('FP_ERR_SCENARIO', `the run's scenario does not load here: ${message}`);
    }
    await send({ type: 'ready', index: o.index, agent });

    // The coordinator's word: the start, then stop, abort or names while the share runs.
    const control = new ControlReader(reader, keys.ctl);
    const readControl = (blockMs: number) =>
      control.read(blockMs).then(answered, () => [] as Control[]);
    let ended: 'aborted' | 'rejected' | undefined;
    let reason = '';
    let lost: AgentLoss | undefined;
    // Read through a call: the watchdog's timer sets it while the loops below wait.
    const redisLost = () => lost === 'redis';
    let startAt: number | undefined;
    const onControl = (message: Control): 'start' | undefined => {
      if (message.type === 'start') return 'start';
      if (message.type === 'reject' && message.index === o.index && message.agent === agent) {
        ended = 'rejected';
        reason = message.reason;
      } else if (message.type === 'abort') {
        ended ??= 'aborted';
        reason = message.reason;
        share.stop(0);
      } else if (message.type === 'stop') share.stop(message.graceMs);
      else if (message.type === 'names') share.restrict(message.recorded);
      else if (message.type === 'folds') share.fold(message.folds);
      return undefined;
    };
    // When the coordinator's claim on the run was last seen as its plan's (it refreshes it every
    // second; gone or another's, the coordinator is silent).
    let claimSeenAt = Date.now();
    const checkClaim = () =>
      redis.get(keys.alive).then(
        (holder) => {
          answered(holder);
          if (holder === published.id) claimSeenAt = Date.now();
        },
        () => undefined,
      );
    // Judged on a timer, not when a command fails: a command to a Redis that went away waits for
    // its commandTimeout (5 s) while ioredis reconnects for ever, so each poll took 10 s and the
    // agents ran their whole plan for no one (issue 25). Past the heartbeat timeout the run's
    // record is lost: the share stops, and its commands, closed, fail at once.
    const watchdog = setInterval(() => {
      if (ended) return;
      const now = Date.now();
      const limit = published.heartbeatTimeoutMs;
      if (now - answeredAt > limit) {
        lost = 'redis';
        reason = `Redis at ${new URL(o.redisUrl).host} did not answer for ${limit / 1000}s`;
        reader.disconnect();
        redis.disconnect();
      } else if (now - claimSeenAt > limit && now - answeredAt <= limit / 2) {
        // Only while Redis answers: a claim unseen because Redis is gone is Redis' silence (the
        // claim is read less often than Redis answers, so it would go stale first).
        lost = 'coordinator';
        reason = `the coordinator went silent for ${limit / 1000}s${startAt === undefined ? ' before the start' : ''}`;
      } else return;
      ended = 'aborted';
      share.stop(0);
    }, 250);
    try {
      while (startAt === undefined && !ended) {
        for (const message of await readControl(1000)) {
          const said = onControl(message);
          if (said === 'start' && message.type === 'start') {
            if (message.agents[String(o.index)] !== agent) {
              ended = 'rejected';
              reason = `index ${o.index} is taken by agent ${message.agents[String(o.index)] ?? 'another'} (the run started without this one); fix --index`;
              break;
            }
            startAt = message.at + offset;
          }
          if (ended) break;
        }
        if (startAt === undefined && !ended) await checkClaim();
      }
    } catch (error) {
      clearInterval(watchdog);
      throw error;
    }
    // A refusal says what to do itself: an index taken or beyond the run, or another version.
    if (ended) clearInterval(watchdog);
    if (ended === 'rejected') throw new PerfError('FP_ERR_DISTRIBUTED', reason);
    if (ended) {
      o.log(`Run ${published.run} aborted: ${reason}`);
      return { code: AGENT_ABORTED };
    }
    o.log(
      `Starting in ${Math.max(0, Math.round((startAt as number) - Date.now()))} ms (clock offset to Redis ${offset.toFixed(1)} ms)`,
    );
    let running = true;
    const listening = (async () => {
      // Redis closed by the watchdog: nothing more to hear.
      while (running && !redisLost()) {
        for (const message of await readControl(500)) onControl(message);
        if (running && !redisLost()) await checkClaim();
      }
    })();
    // Its own share as a run of its own, for --json or as the only record of a lost run.
    const ownResult = (
      recorder: StatsRecorder,
      share: ShareEnd,
      health: ReturnType<GeneratorMonitor['finish']>,
      stopReason: string | undefined,
    ): RunResult => {
      recorder.merge(share.delta);
      recorder.tick(Date.now(), 0);
      const built = buildResult(recorder, {
        version: o.version,
        model: executor.model,
        executor: executor.type,
        target: plan.workload.kind === 'quick' ? plan.workload.url : plan.host,
        endedAt: Date.now(),
        interrupted: stopReason !== undefined,
        generator: health,
        templatedNames: plan.workload.kind === 'scenario' && !plan.rawNames,
        config: {
          distributed: { run: published.run, index: o.index, instances: published.instances },
          executor: published.plan.executor,
        },
      });
      return stopReason === undefined ? built : { ...built, stopReason };
    };
    const executor = createExecutor(published.plan.executor);
    // A task that never yields freezes this thread: the watchdog ends the agent, its share kept.
    const unwatch =
      plan.workload.kind === 'scenario'
        ? watchShare(share, o.maxBlockMs ?? DEFAULT_MAX_BLOCK_MS, (frozen, why) => {
            o.log(`Run ${published.run} aborted: ${why}: this agent ends`);
            if (!own) return EXIT.interrupted;
            monitor.addWorkerLag(frozen.lag);
            const result = ownResult(own, frozen, monitor.finish(executor.model, 1), why);
            return o.onStuck ? o.onStuck(result) : EXIT.interrupted;
          })
        : undefined;
    let end: Awaited<ReturnType<typeof run>>;
    try {
      end = await run(startAt as number);
    } finally {
      running = false;
      clearInterval(watchdog);
      await unwatch?.();
    }
    const endedAt = Date.now() - offset;
    // Judged as a single run's generator is (the open model spins between arrivals by design:
    // late starts, not CPU, are its sign), with the share's own loop and schedule lag.
    monitor.addWorkerLag(end.lag);
    monitor.scheduleLag.add(decodeHistogram(end.scheduleLag));
    monitor.dropped = end.dropped;
    const health = monitor.finish(executor.model, 1);
    const last = deltaTotals(end.delta);
    // Sent at once (the control reader may be blocked for another half second); not to a Redis
    // found gone.
    const delivered =
      !redisLost() &&
      (await send({
        type: 'done',
        index: o.index,
        seq: ++seq,
        ...end,
        totals: {
          requests: totals.requests + last.requests,
          failures: totals.failures + last.failures,
          ticks: totals.ticks,
        },
        ...(startedAt !== undefined ? { startedAt } : {}),
        endedAt,
        saturated: health.saturated,
        reasons: health.reasons,
      }).then(
        () => true,
        (error: Error) => {
          o.log(`cannot send this agent's end to Redis: ${error.message}`);
          return false;
        },
      ));
    await listening;
    if (!delivered && !ended) {
      ended = 'aborted';
      lost = 'redis';
      reason = 'Redis did not take its end';
    }
    const result =
      own && (o.keepResult || lost)
        ? ownResult(own, end, health, ended ? reason : undefined)
        : undefined;
    const summary = `${totals.requests + last.requests} requests, ${totals.failures + last.failures} failures`;
    if (ended) {
      o.log(
        `Run ${published.run} aborted: ${reason} (this agent ${lost === 'redis' ? 'stopped after' : 'sent'} ${summary})`,
      );
      return { code: AGENT_ABORTED, result, lost };
    }
    o.log(`Agent ${o.index} done: ${summary}`);
    return { code: 0, result };
  } catch (error) {
    if (error instanceof PerfError || !isRedisFailure(error)) throw error;
    throw new PerfError(
      'FP_ERR_REDIS_UNREACHABLE',
      `Redis at ${new URL(o.redisUrl).host} stopped answering (${(error as Error).message}); ${FIX}`,
    );
  } finally {
    if (folder) rmSync(folder, { recursive: true, force: true });
    reader.disconnect();
    redis.disconnect();
  }
}

/** Reads a control stream from its beginning, a batch at a time. */
class ControlReader {
  #last = '0';
  constructor(
    private readonly reader: Redis,
    private readonly key: string,
  ) {}

  async read(blockMs: number): Promise<Control[]> {
    const reply = (await this.reader.xread(
      'COUNT',
      100,
      'BLOCK',
      blockMs,
      'STREAMS',
      this.key,
      this.#last,
    )) as StreamReply;
    const out: Control[] = [];
    for (const [, entries] of reply ?? [])
      for (const [id, fields] of entries) {
        this.#last = id;
        const message = decode<Control>(fields);
        if (message) out.push(message);
      }
    return out;
  }
}

/** The plan of the run to join: `o.run`'s, or the newest one still waiting for agents. */
async function findRun(redis: Redis, reader: Redis, o: AgentOptions): Promise<DistributedPlan> {
  const deadline = Date.now() + o.waitMs;
  const open = async (run: string): Promise<DistributedPlan | undefined> => {
    const keys = runKeys(run);
    const text = await redis.get(keys.plan);
    if (!text) return undefined;
    let plan: DistributedPlan;
    try {
      plan = JSON.parse(text) as DistributedPlan;
    } catch {
      throw new PerfError(
        'FP_ERR_DISTRIBUTED',
        `run ${run}'s plan in Redis is not JSON (${keys.plan}); start the coordinator again`,
      );
    }
    if (plan.protocol !== PROTOCOL)
      throw new PerfError(
        'FP_ERR_DISTRIBUTED',
        `run ${run} speaks protocol ${plan.protocol}, this agent ${PROTOCOL}; run agents of the coordinator's version (${plan.version})`,
      );
    // A run already started, or whose coordinator is gone (or not the plan's), is not one to join.
    if ((await redis.get(keys.alive)) !== plan.id) return undefined;
    const { ctl } = planKeys(run, plan.id);
    const started = ((await redis.xrange(ctl, '-', '+')) as Array<[string, string[]]>).some(
      ([, fields]) => decode<Control>(fields)?.type === 'start',
    );
    return started ? undefined : plan;
  };
  // From the newest announcement on (or from the start of an empty stream).
  let last = '0-0';
  if (o.run === undefined) {
    const newest = (await redis.xrevrange(RUNS_KEY, '+', '-', 'COUNT', 1)) as Array<
      [string, string[]]
    >;
    const entry = newest[0];
    if (entry) {
      last = entry[0];
      const found = await open(entry[1][1] as string);
      if (found) return found;
    }
  } else {
    const newest = (await redis.xrevrange(RUNS_KEY, '+', '-', 'COUNT', 1)) as Array<
      [string, string[]]
    >;
    last = newest[0]?.[0] ?? '0-0';
  }
  let said = false;
  for (;;) {
    if (o.run !== undefined) {
      const found = await open(o.run);
      if (found) return found;
    }
    const left = deadline - Date.now();
    if (left <= 0)
      throw new PerfError(
        'FP_ERR_DISTRIBUTED',
        `no run${o.run ? ` ${o.run}` : ''} to join at ${new URL(o.redisUrl).host} after ${o.waitMs / 1000}s; start the coordinator (fiml-perf load --coordinator URL --instances N) or raise --wait`,
      );
    if (!said) {
      said = true;
      o.log(`Waiting for a run${o.run ? ` ${o.run}` : ''} to join (up to ${o.waitMs / 1000}s)`);
    }
    const reply = (await reader.xread(
      'BLOCK',
      Math.min(left, 1000),
      'STREAMS',
      RUNS_KEY,
      last,
    )) as StreamReply;
    for (const [, entries] of reply ?? [])
      for (const [id, fields] of entries) {
        last = id;
        const run = fields[1] as string;
        if (o.run !== undefined && run !== o.run) continue;
        const found = await open(run);
        if (found) return found;
      }
  }
}

/** An error of a Redis command (a timeout, a closed connection, an error reply). */
function isRedisFailure(error: unknown): boolean {
  const e = error as Error;
  return (
    e?.name === 'ReplyError' ||
    e?.name === 'MaxRetriesPerRequestError' ||
    /Command timed out|Connection is closed|ECONNREFUSED|ECONNRESET/.test(e?.message ?? '')
  );
}
