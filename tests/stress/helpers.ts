import type { UserClass } from '../../src/load/index.js';
import type { StressEnv } from '../../src/stress/index.js';

/** A stress environment against `host`, quiet, with short timeouts. */
export function stressEnv(host: string, classes: readonly UserClass[] = []): StressEnv {
  return {
    host,
    classes,
    scenarioFile: 'test',
    seed: 3,
    maxUsers: 500,
    timeoutMs: 5000,
    graceMs: 2000,
    note: () => undefined,
    version: 'test',
  };
}
