import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { PerfError } from '../errors.js';
import type { LoadPlan, RemoteShares, ShareSink } from '../load/index.js';
import type { Fold, InstanceResult, StatsDelta } from '../stats/index.js';
import {
  type Control,
  type DistributedPlan,
  decode,
  deltaTotals,
  encode,
  KEY_TTL_S,
  PROTOCOL,
  planKeys,
  type Report,
  RUNS_KEY,
  redactUrl,
  runKeys,
} from './protocol.js';
import { clockOffset, connectRedis, duplicateOf, type StreamReply } from './redis.js';

export interface CoordinatorOptions {
  readonly redisUrl: string;
  readonly instances: number;
  /** The run's id; agents started with `--run` join this run only. @default a random one */
  readonly run?: string | undefined;
  /** How long to wait for every agent to be ready. */
  readonly readyTimeoutMs: number;
  /** An agent silent this long is lost, and the run fails. */
  readonly heartbeatTimeoutMs: number;
  /** How far ahead of the go the start is set, so every agent hears it in time. @default 2000 */
  readonly startDelayMs?: number;
  readonly version: string;
  readonly log: (line: string) => void;
}

/** Agents' reports read at once; a full read means more may be waiting. */
const READ_COUNT = 1000;

/** Why a read was given up: Redis did not answer for the heartbeat timeout. */
const SILENT = 'no answer';

/**
 * Keeps the claim on a run (KEYS[1], value ARGV[1]) for ARGV[2] ms more, and the plan's streams
 * (KEYS[2], KEYS[3]) for ARGV[3] s. A claim that lapsed (this process or Redis stalled) is taken
 * again; one another coordinator holds is not: 0.
 */
const REFRESH_CLAIM = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[3])
return 1`;

/** Gives up the claim on a run (KEYS[1]) if it is still this one's (ARGV[1]). */
const RELEASE_CLAIM = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** A second an agent reported, held until every running agent has reported it. */
interface HeldSecond {
  readonly seq: number;
  readonly delta: StatsDelta;
  readonly users: number;
}

/**
 * Takes out of `instances`' held seconds those every agent still running has reported (all of an
 * agent done or lost; everything with `all`), in order, to be merged.
 */
export function releaseHeld(
  instances: ReadonlyMap<
    number,
    { readonly seq: number; readonly done: boolean; readonly lost: boolean; held: HeldSecond[] }
  >,
  all = false,
): Array<[number, HeldSecond]> {
  const running = [...instances.values()].filter((i) => !i.done && !i.lost);
  const floor = all || running.length === 0 ? Infinity : Math.min(...running.map((i) => i.seq));
  const out: Array<[number, HeldSecond]> = [];
  for (const [index, instance] of instances) {
    const through = instance.done || instance.lost ? Infinity : floor;
    const kept: HeldSecond[] = [];
    for (const second of instance.held)
      if (second.seq <= through) out.push([index, second]);
      else kept.push(second);
    instance.held = kept;
  }
  return out;
}

interface Instance {
  agent: string;
  ready: boolean;
  clockOffsetMs: number;
  lastSeen: number;
  startedAt: number | undefined;
  seq: number;
  missingTicks: number;
  received: { requests: number; failures: number };
  reported: { requests: number; failures: number } | null;
  health: { saturated: boolean; reasons: readonly string[] } | null;
  endedAt: number | undefined;
  cpu: number[];
  bytes: number;
  messages: number;
  done: boolean;
  lost: boolean;
  lostAtS?: number;
  /**
   * Seconds this agent reported ahead of the slowest agent still running, not merged yet: a
   * second is merged once every running agent has reported it, so a run whose Redis dies holds
   * whole seconds only (an agent ahead would otherwise add a second the others cannot).
   */
  held: HeldSecond[];
}

/**
 * The coordinator of a distributed run: publishes the plan, waits for every agent to be ready,
 * sets one start for all, merges their deltas exactly as the run merges worker threads', and
 * fails the run when an agent goes silent. Used as the run's `remote` (load/run.ts).
 */
export class Coordinator implements RemoteShares {
  readonly count: number;
  readonly runId: string;
  /** This coordinator's plan: the value of its claim on the run id, the name of its streams. */
  readonly #planId = randomBytes(8).toString('hex');
  readonly #keys: ReturnType<typeof runKeys> & ReturnType<typeof planKeys>;
  readonly #instances = new Map<number, Instance>();
  #lastUp = '0';
  #redisLost = false;
  /** When a read from Redis last succeeded, during the run. */
  #heardAt = 0;
  #trimmedAt = 0;
  #startAt = 0;
  #alive: NodeJS.Timeout | undefined;
  #lost: number[] = [];
  #failure: string | undefined;
  #claimed = false;

  private constructor(
    private readonly o: CoordinatorOptions,
    private readonly redis: Redis,
    /** A second connection for blocking reads (XREAD BLOCK holds its connection). */
    private readonly reader: Redis,
    private readonly offsetMs: number,
  ) {
    this.count = o.instances;
    this.runId = o.run ?? randomBytes(6).toString('hex');
    this.#keys = { ...runKeys(this.runId), ...planKeys(this.runId, this.#planId) };
  }

  /** Connects to Redis. @throws PerfError FP_ERR_REDIS_UNREACHABLE, one line */
  static async connect(o: CoordinatorOptions): Promise<Coordinator> {
    const redis = await connectRedis(o.redisUrl, 'start Redis or fix --coordinator');
    const reader = duplicateOf(redis);
    return new Coordinator(o, redis, reader, await clockOffset(redis));
  }

  /** The agents lost, by index (empty unless the run failed for it). */
  get lost(): readonly number[] {
    return this.#lost;
  }

  /** Why the run failed, when it did (an agent lost or failed). */
  get failure(): string | undefined {
    return this.#failure;
  }

  async #control(message: Control): Promise<void> {
    await this.redis.xadd(this.#keys.ctl, 'MAXLEN', '~', '10000', '*', ...encode(message));
  }

  /** Sends without waiting; a Redis that fails is noticed by the read loop, not here. */
  #tell(message: Control): void {
    this.#control(message).catch(() => undefined);
  }

  /**
   * Publishes the plan (the agents' scenario bundled in it) and waits until all `instances`
   * agents are ready. @throws PerfError FP_ERR_DISTRIBUTED naming the missing indexes after the
   * ready timeout, or the agent that could not run the plan
   */
  async publish(
    plan: LoadPlan,
    scenario: DistributedPlan['scenario'],
    graceMs: number,
    /** Ctrl-C while waiting: the agents are told, and the run does not start. */
    stop?: AbortSignal,
  ): Promise<void> {
    const keys = this.#keys;
    await this.#claim();
    const published: DistributedPlan = {
      protocol: PROTOCOL,
      run: this.runId,
      id: this.#planId,
      coordinator: `${hostname()}:${process.pid}`,
      version: this.o.version,
      instances: this.count,
      plan,
      scenario,
      graceMs,
      heartbeatTimeoutMs: this.o.heartbeatTimeoutMs,
      publishedAt: Date.now() - this.offsetMs,
    };
    await this.redis.set(keys.plan, JSON.stringify(published), 'EX', KEY_TTL_S);
    this.#alive = setInterval(() => this.#refreshAlive(), 1000);
    this.#alive.unref();
    await this.redis.xadd(RUNS_KEY, 'MAXLEN', '~', '100', '*', 'run', this.runId);
    this.o.log(
      `Run ${this.runId} published to ${new URL(this.o.redisUrl).host}: waiting for ${this.count} agent(s) (fiml-perf agent ${redactUrl(this.o.redisUrl)} --index 0..${this.count - 1}), up to ${this.o.readyTimeoutMs / 1000}s`,
    );
    const deadline = Date.now() + this.o.readyTimeoutMs;
    let announced = 0;
    while (this.#readyCount() < this.count) {
      const left = deadline - Date.now();
      if (stop?.aborted) {
        await this.#control({
          type: 'abort',
          reason: 'the coordinator was stopped before the start',
        });
        await this.close();
        throw new PerfError(
          'FP_ERR_DISTRIBUTED',
          `stopped while waiting for agents (${this.#readyCount()} of ${this.count} ready); nothing ran`,
        );
      }
      if (left <= 0) {
        const missing = [...Array(this.count).keys()].filter((i) => !this.#instances.get(i)?.ready);
        await this.#control({ type: 'abort', reason: 'not every agent was ready in time' });
        await this.close();
        throw new PerfError(
          'FP_ERR_DISTRIBUTED',
          `agent(s) ${missing.join(', ')} of ${this.count} not ready after ${this.o.readyTimeoutMs / 1000}s; start them (fiml-perf agent URL --index I) or raise --ready-timeout`,
        );
      }
      try {
        await this.#read(Math.min(left, 1000), (report) => this.#beforeStart(report));
      } catch (error) {
        await this.close();
        throw new PerfError(
          'FP_ERR_REDIS_UNREACHABLE',
          `Redis at ${new URL(this.o.redisUrl).host} stopped answering while waiting for agents (${(error as Error).message}); check it and try again`,
        );
      }
      if (this.#failure) {
        await this.#control({ type: 'abort', reason: this.#failure });
        await this.close();
        throw new PerfError('FP_ERR_DISTRIBUTED', this.#failure);
      }
      const ready = this.#readyCount();
      if (ready > announced) {
        announced = ready;
        this.o.log(`${ready} of ${this.count} agent(s) ready`);
      }
    }
  }

  #readyCount(): number {
    let n = 0;
    for (const i of this.#instances.values()) if (i.ready) n++;
    return n;
  }

  /** How long the claim lasts unrefreshed: a coordinator silent this long has let its run go. */
  get #claimMs(): number {
    return Math.max(3000, this.o.heartbeatTimeoutMs);
  }

  /**
   * Claims the run id: one coordinator at a time runs a run (issue 25: a second one replaced the
   * plan, and both merged the agents' deltas). @throws PerfError FP_ERR_DISTRIBUTED naming the
   * coordinator that holds it
   */
  async #claim(): Promise<void> {
    const { alive, plan } = this.#keys;
    const claimed = await this.redis.set(alive, this.#planId, 'PX', this.#claimMs, 'NX');
    if (claimed === 'OK') {
      this.#claimed = true;
      return;
    }
    const holder = await this.redis.get(alive);
    let who = 'another coordinator';
    try {
      const published = JSON.parse((await this.redis.get(plan)) ?? '') as DistributedPlan;
      if (published.id === holder) who = `the coordinator ${published.coordinator}`;
    } catch {
      // Its plan not written yet: it is named no more precisely.
    }
    throw new PerfError(
      'FP_ERR_DISTRIBUTED',
      `run ${this.runId} is taken: ${who} is running it; pick another --run id, or wait until that run ends`,
    );
  }

  #refreshAlive(): void {
    const { alive, ctl, up } = this.#keys;
    void (
      this.redis.eval(
        REFRESH_CLAIM,
        3,
        alive,
        ctl,
        up,
        this.#planId,
        this.#claimMs,
        KEY_TTL_S,
      ) as Promise<number>
    ).then(
      (held) => {
        if (held === 0 && this.#claimed) {
          this.#claimed = false;
          this.#failure ??= `run ${this.runId} was claimed by another coordinator while this one ran it`;
        }
      },
      () => undefined,
    );
  }

  #beforeStart(report: Report): void {
    if (report.type === 'hello') {
      const taken = this.#instances.get(report.index);
      if (report.index >= this.count) {
        this.#tell({
          type: 'reject',
          index: report.index,
          agent: report.agent,
          reason: `index ${report.index} is beyond this run's ${this.count} instance(s) (0 to ${this.count - 1}); fix --index`,
        });
        return;
      }
      if (report.version !== this.o.version) {
        this.#tell({
          type: 'reject',
          index: report.index,
          agent: report.agent,
          reason: `this agent is fiml-perf ${report.version}, the coordinator ${this.o.version}: run the same version on both`,
        });
        return;
      }
      if (taken && taken.agent !== report.agent) {
        this.#tell({
          type: 'reject',
          index: report.index,
          agent: report.agent,
          reason: `index ${report.index} is taken by agent ${taken.agent}; fix --index`,
        });
        return;
      }
      this.#instances.set(report.index, {
        agent: report.agent,
        ready: false,
        clockOffsetMs: report.clockOffsetMs,
        lastSeen: Date.now(),
        startedAt: undefined,
        seq: 0,
        missingTicks: 0,
        received: { requests: 0, failures: 0 },
        reported: null,
        health: null,
        endedAt: undefined,
        cpu: [],
        bytes: 0,
        messages: 0,
        done: false,
        lost: false,
        held: [],
      });
    } else if (report.type === 'ready') {
      const instance = this.#instances.get(report.index);
      if (instance && instance.agent === report.agent) instance.ready = true;
    } else if (report.type === 'failed') {
      this.#failure = `agent ${report.index} (${report.agent}) cannot run the plan: ${report.message}`;
    }
  }

  /** Reads agents' reports for up to `blockMs`, handing each to `handle`. */
  /** @returns how many entries it read (READ_COUNT: maybe more are waiting) */
  async #read(blockMs: number, handle: (report: Report, bytes: number) => void): Promise<number> {
    const reply = (await this.reader.xread(
      'COUNT',
      READ_COUNT,
      'BLOCK',
      Math.max(1, Math.round(blockMs)),
      'STREAMS',
      this.#keys.up,
      this.#lastUp,
    )) as StreamReply;
    let read = 0;
    for (const [, entries] of reply ?? []) {
      for (const [id, fields] of entries) {
        read++;
        this.#lastUp = id;
        const report = decode<Report>(fields);
        if (report) handle(report, (fields[1] as string).length);
      }
    }
    // What is read is merged: Redis keeps only what is not (a run of 100 agents for an hour
    // would otherwise hold every delta it ever sent).
    if (reply && Date.now() - this.#trimmedAt > 1000) {
      this.#trimmedAt = Date.now();
      void this.redis.call('XTRIM', this.#keys.up, 'MINID', this.#lastUp).catch(() => undefined);
    }
    return read;
  }

  async start(): Promise<number> {
    const delay = this.o.startDelayMs ?? 2000;
    // On Redis' clock: each agent turns it into its own.
    const at = Date.now() - this.offsetMs + delay;
    // The agents accepted, by index: one that joined later (a second with a taken index) is not.
    const agents = Object.fromEntries([...this.#instances].map(([index, i]) => [index, i.agent]));
    await this.#control({ type: 'start', at, agents });
    this.#startAt = at + this.offsetMs;
    const now = Date.now();
    for (const i of this.#instances.values()) i.lastSeen = Math.max(now, this.#startAt);
    return this.#startAt;
  }

  restrict(recorded: ReadonlyArray<readonly [string, string]>): void {
    this.#tell({ type: 'names', recorded });
  }

  fold(folds: readonly Fold[]): void {
    this.#tell({ type: 'folds', folds });
  }

  async run(
    sink: ShareSink,
    signals: { stop?: AbortSignal | undefined; abort?: AbortSignal | undefined; graceMs: number },
  ): Promise<{ cut: boolean; endedAt?: number; seenS?: number }> {
    const onStop = () => this.#tell({ type: 'stop', graceMs: signals.graceMs });
    const onAbort = () => this.#tell({ type: 'abort', reason: 'the coordinator stopped now' });
    // A Ctrl-C in the seconds before the start was not heard by anyone yet.
    if (signals.stop?.aborted) onStop();
    else signals.stop?.addEventListener('abort', onStop, { once: true });
    if (signals.abort?.aborted) onAbort();
    else signals.abort?.addEventListener('abort', onAbort, { once: true });
    let cut = false;
    this.#heardAt = Date.now();
    try {
      for (;;) {
        if ([...this.#instances.values()].every((i) => i.done)) break;
        if (signals.abort?.aborted) {
          cut = true;
          break;
        }
        let read: number;
        try {
          read = await this.#unlessSilent(
            this.#read(250, (report, bytes) => this.#during(report, bytes, sink)),
          );
          this.#heardAt = Date.now();
        } catch (error) {
          // Redis gone: nothing arrives, nothing can be told; past the heartbeat timeout since it
          // last answered the run is lost, as when an agent is. (A read to a Redis gone waits for
          // its commandTimeout, 5 s, while ioredis reconnects: judged from the first failure, the
          // loss took 10 s, issue 25.)
          if (Date.now() - this.#heardAt > this.o.heartbeatTimeoutMs) {
            const seenS = this.#seenS();
            const cause = (error as Error).message;
            this.#redisLost = true;
            this.#failure = `Redis at ${new URL(this.o.redisUrl).host} did not answer for ${this.o.heartbeatTimeoutMs / 1000}s${cause === SILENT ? '' : ` (${cause})`}`;
            this.o.log(
              `${this.#failure}; the agents stop by themselves. The result covers the first ${seenS}s (every agent's reports until then); after that it is unknown`,
            );
            return { cut: true, seenS };
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        // Silence is judged only on a read that emptied the backlog: an agent whose messages are
        // still queued behind others' is not silent.
        const lost = read < READ_COUNT ? this.#silent() : [];
        if (lost.length > 0 || this.#failure) {
          const at = (Date.now() - this.#startAt) / 1000;
          for (const index of lost) {
            const instance = this.#instances.get(index) as Instance;
            instance.lost = true;
            instance.lostAtS = Math.round(at * 10) / 10;
          }
          this.#release(sink);
          this.#lost = lost;
          this.#failure ??= `agent(s) ${lost.map((i) => `${i} (${this.#instances.get(i)?.agent})`).join(', ')} lost at ${at.toFixed(1)}s: no heartbeat for ${this.o.heartbeatTimeoutMs / 1000}s`;
          this.o.log(`${this.#failure}; stopping the others`);
          this.#tell({ type: 'abort', reason: this.#failure });
          // What the others sent until now still counts: read it, briefly.
          await this.#drain(sink).catch(() => undefined);
          cut = true;
          break;
        }
      }
    } finally {
      signals.stop?.removeEventListener('abort', onStop);
      signals.abort?.removeEventListener('abort', onAbort);
    }
    // Every second received counts once the run is over (a Redis gone returned above: what
    // only some agents reported is not merged, and the result says it is unknown).
    this.#release(sink, true);
    // The run ended when its last agent's share did (on this process's clock), not when its
    // report crossed Redis.
    const ends = [...this.#instances.values()].map((i) => i.endedAt);
    if (cut || ends.some((t) => t === undefined)) return { cut };
    return { cut, endedAt: Math.max(...(ends as number[])) + this.offsetMs };
  }

  /** `promise`, or a rejection once Redis has not answered for the heartbeat timeout. */
  #unlessSilent<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      const left = this.#heardAt + this.o.heartbeatTimeoutMs - Date.now();
      timer = setTimeout(() => reject(new Error(SILENT)), Math.max(0, left) + 50);
    });
    return Promise.race([promise, silent]).finally(() => clearTimeout(timer));
  }

  /**
   * The seconds of the run every agent still running reported (each sends its second's delta
   * as it ends, numbered): what the coordinator saw of the run.
   */
  #seenS(): number {
    const running = [...this.#instances.values()].filter((i) => !i.done);
    return running.length ? Math.min(...running.map((i) => i.seq)) : 0;
  }

  /**
   * Merges the seconds every running agent has reported (those of an agent done or lost, all of
   * them): what is held past that waits for the slowest agent's report.
   */
  #release(sink: ShareSink, all = false): void {
    for (const [index, second] of releaseHeld(this.#instances, all))
      sink.delta(index, second.delta, second.users);
  }

  /** The agents not heard from for the heartbeat timeout (those done are not). */
  #silent(): number[] {
    const now = Date.now();
    return [...this.#instances.entries()]
      .filter(([, i]) => !i.done && now - i.lastSeen > this.o.heartbeatTimeoutMs)
      .map(([index]) => index);
  }

  async #drain(sink: ShareSink): Promise<void> {
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      const before = this.#lastUp;
      await this.#read(300, (report, bytes) => this.#during(report, bytes, sink));
      if (this.#lastUp === before && [...this.#instances.values()].every((i) => i.done || i.lost))
        break;
    }
  }

  #during(report: Report, bytes: number, sink: ShareSink): void {
    const instance = this.#instances.get(report.index);
    if (!instance || instance.lost || instance.done) return;
    if ('agent' in report && report.agent !== instance.agent) return;
    instance.lastSeen = Date.now();
    instance.bytes += bytes;
    instance.messages++;
    if (report.type === 'tick' || report.type === 'done') {
      if (report.seq !== instance.seq + 1)
        instance.missingTicks += Math.max(0, report.seq - instance.seq - 1);
      instance.seq = Math.max(instance.seq, report.seq);
      if (report.startedAt !== undefined) instance.startedAt ??= report.startedAt;
      const t = deltaTotals(report.delta);
      instance.received.requests += t.requests;
      instance.received.failures += t.failures;
    }
    if (report.type === 'tick') {
      instance.cpu.push(report.cpuPercent);
      if (report.dropped) sink.dropped();
      instance.held.push({ seq: report.seq, delta: report.delta, users: report.users });
      this.#release(sink);
    } else if (report.type === 'done') {
      instance.done = true;
      this.#release(sink);
      instance.reported = { requests: report.totals.requests, failures: report.totals.failures };
      instance.health = { saturated: report.saturated, reasons: report.reasons };
      instance.endedAt = report.endedAt;
      sink.done(report.index, report);
    } else if (report.type === 'failed') {
      this.#failure = `agent ${report.index} (${report.agent}) failed: ${report.message}`;
    }
  }

  /** Each agent as the result describes it, and the problems the end found (deltas not adding up). */
  summary(durationS: number): { instances: InstanceResult[]; problems: string[] } {
    const starts = [...this.#instances.values()]
      .map((i) => i.startedAt)
      .filter((t): t is number => t !== undefined);
    const earliest = starts.length ? Math.min(...starts) : undefined;
    const problems: string[] = [];
    const instances = [...this.#instances.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([index, i]): InstanceResult => {
        const reported = i.reported;
        const ok =
          reported !== null &&
          reported.requests === i.received.requests &&
          reported.failures === i.received.failures &&
          i.missingTicks === 0;
        if (reported && !ok)
          problems.push(
            `agent ${index}: its deltas add up to ${i.received.requests} requests and ${i.received.failures} failures, it reported ${reported.requests} and ${reported.failures}${i.missingTicks ? ` (${i.missingTicks} tick(s) missing)` : ''}`,
          );
        const mean = i.cpu.length ? i.cpu.reduce((a, b) => a + b, 0) / i.cpu.length : 0;
        const max = i.cpu.length ? Math.max(...i.cpu) : 0;
        return {
          index,
          agent: i.agent,
          requests: i.received.requests,
          failures: i.received.failures,
          cpuPercent: { mean: Math.round(mean), max: Math.round(max) },
          saturated: i.health?.saturated ?? false,
          reasons: i.health?.reasons ?? [],
          clockOffsetMs: Math.round(i.clockOffsetMs * 10) / 10,
          startSkewMs:
            i.startedAt === undefined || earliest === undefined
              ? null
              : Math.round((i.startedAt - earliest) * 10) / 10,
          bytesPerSecond: Math.round(i.bytes / Math.max(durationS, 1)),
          messages: i.messages,
          reconciliation: {
            received: { ...i.received },
            reported,
            ok,
            missingTicks: i.missingTicks,
          },
          lost: i.lost,
          ...(i.lostAtS !== undefined ? { lostAtS: i.lostAtS } : {}),
        };
      });
    return { instances, problems };
  }

  /**
   * Stops refreshing the coordinator's heartbeat and closes the connections; agents waiting for
   * a start that will not come are told (the setup failed after the plan was published).
   */
  async close(): Promise<void> {
    clearInterval(this.#alive);
    if (this.#redisLost) {
      this.reader.disconnect();
      this.redis.disconnect();
      return;
    }
    if (this.#claimed && this.#startAt === 0)
      await this.#control({
        type: 'abort',
        reason: 'the coordinator stopped before the start',
      }).catch(() => undefined);
    if (this.#claimed)
      await this.redis
        .eval(RELEASE_CLAIM, 1, this.#keys.alive, this.#planId)
        .catch(() => undefined);
    this.#claimed = false;
    await this.redis.expire(this.#keys.ctl, KEY_TTL_S).catch(() => undefined);
    await this.redis.expire(this.#keys.up, KEY_TTL_S).catch(() => undefined);
    this.reader.disconnect();
    this.redis.disconnect();
  }
}
