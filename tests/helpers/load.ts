import type { ExecutorConfig, LoadPlan, UserClass } from '../../src/load/index.js';
import { runLoad } from '../../src/load/index.js';
import type { RunResult } from '../../src/stats/index.js';

/**
 * A short in-process run of user classes against `host`; `stop` ends it early (a test that
 * waits for a count rather than a duration).
 */
export function runScenario(
  host: string,
  classes: readonly UserClass[],
  executor: ExecutorConfig,
  extra: Partial<LoadPlan> = {},
  stop?: AbortSignal,
): Promise<RunResult> {
  return runLoad({
    plan: {
      workload: { kind: 'scenario', file: '', classNames: [] },
      executor,
      host,
      seed: 7,
      timeoutMs: 5000,
      headers: {},
      ...extra,
    },
    classes,
    graceMs: 2000,
    stop,
    version: 'test',
    config: {},
  });
}

/** A short in-process quick-mode run against one URL. */
export function runQuick(
  url: string,
  executor: ExecutorConfig,
  options: { method?: string; body?: string; timeoutMs?: number; graceMs?: number } = {},
): Promise<RunResult> {
  return runLoad({
    plan: {
      workload: {
        kind: 'quick',
        url,
        method: options.method ?? 'GET',
        headers: {},
        body: options.body,
      },
      executor,
      host: new URL(url).origin,
      seed: 7,
      timeoutMs: options.timeoutMs ?? 5000,
      headers: {},
    },
    classes: [],
    graceMs: options.graceMs ?? 2000,
    version: 'test',
    config: {},
  });
}

export const closed = (users: number, durationMs: number): ExecutorConfig => ({
  type: 'constant-users',
  users,
  spawnRate: users * 100,
  durationMs,
});
