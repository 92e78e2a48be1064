import { formatDuration, type Stage, stagesDuration, stageValue } from '../../util/duration.js';
import type { Executor, ExecutorContext, LoadUnits } from './executor.js';
import { runSchedule } from './open-schedule.js';

export interface RampingArrivalRateConfig {
  readonly type: 'ramping-arrival-rate';
  readonly stages: readonly Stage[];
  /** Iterations a second at the start, ramped from. @default 0 */
  readonly startRate: number;
  readonly maxUsers: number;
}

/** Open model in stages (k6's ramping-arrival-rate): the rate moves linearly to each target. */
export class RampingArrivalRateExecutor implements Executor {
  readonly type = 'ramping-arrival-rate';
  readonly model = 'open';
  readonly durationMs: number;

  constructor(private readonly config: RampingArrivalRateConfig) {
    this.durationMs = stagesDuration(config.stages);
  }

  describe(units: LoadUnits = 'users'): string {
    const stages = this.config.stages.map((s) => `${formatDuration(s.durationMs)}→${s.target}/s`);
    const rate = units === 'connections' ? 'request rate' : 'arrival rate';
    return `open model: ${rate} in stages ${stages.join(', ')}, up to ${this.config.maxUsers} ${units}`;
  }

  run(context: ExecutorContext): Promise<void> {
    const { stages, startRate } = this.config;
    return runSchedule(context, this.durationMs, (t) => stageValue(stages, startRate, t));
  }
}
