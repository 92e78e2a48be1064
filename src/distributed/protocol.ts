/**
 * The protocol between a distributed run's coordinator and its agents, over Redis Streams. Not
 * pub/sub, which loses what is sent while a reader is away: a stream keeps every message, so an
 * agent that connects late still reads the plan and the start, and the coordinator reads every
 * delta once, in order.
 *
 * Keys, for run R published as P (a random id each coordinator draws for its plan):
 * - `fiml-perf:runs`: a stream announcing runs (`run R`), for agents that do not know R;
 * - `fiml-perf:run:R:alive`: the claim on R. Its value is P: set only when no live coordinator
 *   holds R (a second one is refused, issue 25), refreshed every second with a short expiry by
 *   the coordinator that holds it; an agent that finds it gone, or another plan's, stops (its
 *   coordinator is lost);
 * - `fiml-perf:run:R:plan`: the plan (JSON, its `id` P), the scenario bundled inside;
 * - `fiml-perf:run:R:P:ctl`: coordinator to agents: start, stop, abort, names, reject;
 * - `fiml-perf:run:R:P:up`: agents to coordinator: hello, ready, a tick every second (a stats
 *   delta, the heartbeat), done, failed.
 *
 * The plan and the streams expire a day after the run. The streams are the plan's own, so a
 * coordinator reads only the agents that read its plan: its result cannot describe a plan another
 * coordinator published on the same run id.
 */
import type { LoadPlan, LoopLag } from '../load/index.js';
import type { Fold, StatsDelta } from '../stats/index.js';

/** Raised when the messages change incompatibly; an agent refuses another protocol's plan. */
export const PROTOCOL = 2;

export const RUNS_KEY = 'fiml-perf:runs';

/** The keys of run `run`: its claim and its plan. */
export function runKeys(run: string) {
  const base = `fiml-perf:run:${run}`;
  return { plan: `${base}:plan`, alive: `${base}:alive` } as const;
}

/** The streams of run `run`'s plan `id`. */
export function planKeys(run: string, id: string) {
  const base = `fiml-perf:run:${run}:${id}`;
  return { ctl: `${base}:ctl`, up: `${base}:up` } as const;
}

/** How long a run's keys stay in Redis after it was published. */
export const KEY_TTL_S = 86_400;

/** What every agent receives: the whole plan (each runs its segment of it). */
export interface DistributedPlan {
  readonly protocol: number;
  readonly run: string;
  /** This publication of the run: the value of its claim and the name of its streams. */
  readonly id: string;
  /** The coordinator, `host:pid`. */
  readonly coordinator: string;
  readonly version: string;
  readonly instances: number;
  /** The plan as one process would run it; a scenario's file is replaced by `scenario`. */
  readonly plan: LoadPlan;
  /** The scenario, bundled into one ES module with its local imports (not 'fiml-perf'). */
  readonly scenario?: { readonly fileName: string; readonly source: string } | undefined;
  readonly graceMs: number;
  /** An agent that has heard nothing from the coordinator for this long stops. */
  readonly heartbeatTimeoutMs: number;
  readonly publishedAt: number;
}

/** Coordinator to agents. `at` is on Redis' clock (ms), which every instance measures itself against. */
export type Control =
  | {
      readonly type: 'start';
      readonly at: number;
      /** The agent accepted for each index (`host:pid`); any other stays out. */
      readonly agents: Readonly<Record<string, string>>;
    }
  | { readonly type: 'stop'; readonly graceMs: number }
  | { readonly type: 'abort'; readonly reason: string }
  | { readonly type: 'names'; readonly recorded: ReadonlyArray<readonly [string, string]> }
  /** Positions of request names the run folded into `:id` (`NameFolds`). */
  | { readonly type: 'folds'; readonly folds: readonly Fold[] }
  | {
      readonly type: 'reject';
      readonly index: number;
      readonly agent: string;
      /** Why, and what fixes it (`; fix --index`, or run the same version): the agent's error. */
      readonly reason: string;
    };

/** Agents to coordinator. */
export type Report =
  | {
      readonly type: 'hello';
      readonly index: number;
      /** `host:pid`, to tell two agents with one index apart. */
      readonly agent: string;
      readonly version: string;
      /** This agent's clock minus Redis' (ms). */
      readonly clockOffsetMs: number;
    }
  | { readonly type: 'ready'; readonly index: number; readonly agent: string }
  | {
      readonly type: 'tick';
      readonly index: number;
      /** 1, 2, 3... : a gap or a repeat is a lost or doubled message. */
      readonly seq: number;
      readonly delta: StatsDelta;
      readonly users: number;
      /** The agent's CPU over the last second, percent of one core. */
      readonly cpuPercent: number;
      /** When the agent started, on Redis' clock (first tick only). */
      readonly startedAt?: number;
      readonly dropped?: boolean;
    }
  | {
      readonly type: 'done';
      readonly index: number;
      readonly seq: number;
      readonly delta: StatsDelta;
      readonly lag: LoopLag;
      readonly scheduleLag: string;
      readonly dropped: number;
      /** What the agent recorded in all: the coordinator checks its deltas add up to this. */
      readonly totals: {
        readonly requests: number;
        readonly failures: number;
        readonly ticks: number;
      };
      readonly startedAt?: number;
      /** When its share ended, on Redis' clock. */
      readonly endedAt: number;
      /** Whether it set the pace itself, judged as a single run's generator is. */
      readonly saturated: boolean;
      readonly reasons: readonly string[];
    }
  | {
      readonly type: 'failed';
      readonly index: number;
      readonly agent: string;
      readonly message: string;
    };

/** The fields of a stream entry carrying one message. */
export function encode(message: Control | Report): [string, string] {
  return ['m', JSON.stringify(message)];
}

/** The message of a stream entry's fields (`['m', json]`); undefined when it is not one of ours. */
export function decode<T extends Control | Report>(fields: readonly string[]): T | undefined {
  const at = fields.indexOf('m');
  if (at < 0 || at % 2 !== 0) return undefined;
  try {
    return JSON.parse(fields[at + 1] as string) as T;
  } catch {
    return undefined;
  }
}

/** The requests and failures of a delta. */
export function deltaTotals(delta: StatsDelta): { requests: number; failures: number } {
  let requests = 0;
  let failures = 0;
  for (const e of delta.endpoints) {
    requests += e.requests;
    failures += e.failures;
  }
  return { requests, failures };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
