import type { NameFolds, RequestSink } from '../stats/index.js';
import type { ClientConfig } from '../util/client-config.js';
import type { HeaderValue } from './default-headers.js';
import type { ExecutorConfig } from './executors/index.js';
import type { LoadTarget } from './load-target.js';
import { QuickRunner } from './quick-runner.js';
import type { UserClass } from './scenario.js';
import { ScenarioRunner } from './scenario-runner.js';
import type { Segment } from './segment.js';
import { guardStrayErrors } from './stray-errors.js';

/** What a run sends: user classes from a scenario file, or one request (quick mode). */
export type Workload =
  | { readonly kind: 'scenario'; readonly file: string; readonly classNames: readonly string[] }
  | {
      readonly kind: 'quick';
      readonly url: string;
      readonly method: string;
      /** `-H`, over quick mode's defaults; `null` sends none of that name. */
      readonly headers: Readonly<Record<string, HeaderValue>>;
      readonly body: string | undefined;
    };

/** Everything a thread needs to generate its part of the load; plain data, so workers get it too. */
export interface LoadPlan {
  readonly workload: Workload;
  readonly executor: ExecutorConfig;
  /** Base URL of the service under test. */
  readonly host: string;
  readonly seed: number;
  readonly timeoutMs: number;
  /** Headers added to every scenario request, over the defaults; `null` sends none of that name. */
  readonly headers: Readonly<Record<string, HeaderValue>>;
  /** Name requests without `name` by their exact path, not its template. @default false */
  readonly rawNames?: boolean;
  /** Distinct request names recorded before new ones go to `(other names)`. @default 1000 */
  readonly maxNames?: number;
  /** Users share one connection pool per origin instead of each having its own. @default false */
  readonly sharedPool?: boolean;
  /** TLS trust, client certificate and protocol, for both clients. */
  readonly client?: ClientConfig;
}

function maxUsersOf(config: ExecutorConfig): number | undefined {
  return 'maxUsers' in config ? config.maxUsers : undefined;
}

/**
 * Builds what the executor drives in this thread, recording into `sink`. In a segment of the
 * plan, users are numbered and given classes as the whole plan's users it owns would be (the
 * same ids, seeds and classes as on one machine).
 */
export function createTarget(
  plan: LoadPlan,
  sink: RequestSink,
  classes: readonly UserClass[],
  segment?: Segment,
  names?: NameFolds,
): { target: LoadTarget; close: () => Promise<void> } {
  if (plan.workload.kind === 'quick') {
    const target = new QuickRunner({
      url: plan.workload.url,
      method: plan.workload.method,
      headers: plan.workload.headers,
      body: plan.workload.body,
      sink,
      timeoutMs: plan.timeoutMs,
      maxConnections: maxUsersOf(plan.executor),
      client: plan.client,
    });
    return { target, close: async () => undefined };
  }
  const target = new ScenarioRunner({
    classes,
    host: plan.host,
    sink,
    sharedPool: plan.sharedPool,
    seed: plan.seed,
    maxUsers: maxUsersOf(plan.executor),
    segment,
    timeoutMs: plan.timeoutMs,
    headers: plan.headers,
    rawNames: plan.rawNames,
    names,
    client: plan.client,
  });
  // A user's stray errors (a promise not awaited, a throw in a timer) are its task's errors, not
  // the end of the process.
  guardStrayErrors();
  return { target, close: () => target.closeConnections() };
}
