import { formatDuration } from '../../util/duration.js';
import type { Executor, ExecutorContext, LoadUnits } from './executor.js';
import { runSchedule } from './open-schedule.js';

export interface ConstantArrivalRateConfig {
  readonly type: 'constant-arrival-rate';
  /** Iterations started a second, whatever the server's latency. */
  readonly rate: number;
  readonly durationMs: number;
  /** The most users that may be busy at once; past it, iterations are dropped. */
  readonly maxUsers: number;
}

/** Open model (k6's constant-arrival-rate, wrk2's -R): a fixed rate of iterations. */
export class ConstantArrivalRateExecutor implements Executor {
  readonly type = 'constant-arrival-rate';
  readonly model = 'open';
  readonly durationMs: number;

  constructor(private readonly config: ConstantArrivalRateConfig) {
    this.durationMs = config.durationMs;
  }

  describe(units: LoadUnits = 'users'): string {
    const { rate, maxUsers } = this.config;
    const started = units === 'connections' ? 'requests' : 'iterations';
    return `open model: ${rate} ${started}/s, up to ${maxUsers} ${units}, ${formatDuration(this.durationMs)}`;
  }

  run(context: ExecutorContext): Promise<void> {
    return runSchedule(context, this.durationMs, () => this.config.rate);
  }
}
