import { formatDuration, type Stage, stagesDuration, stageValue } from '../../util/duration.js';
import { driveUsers, type Executor, type ExecutorContext, type LoadUnits } from './executor.js';

export interface RampingUsersConfig {
  readonly type: 'ramping-users';
  readonly stages: readonly Stage[];
  /** Users at the start, ramped from. @default 0 */
  readonly startUsers: number;
}

/** Closed model in stages (k6's ramping-vus): users move linearly to each stage's target. */
export class RampingUsersExecutor implements Executor {
  readonly type = 'ramping-users';
  readonly model = 'closed';
  readonly durationMs: number;

  constructor(private readonly config: RampingUsersConfig) {
    this.durationMs = stagesDuration(config.stages);
  }

  describe(units: LoadUnits = 'users'): string {
    const stages = this.config.stages.map((s) => `${formatDuration(s.durationMs)}→${s.target}`);
    return `closed model: ${units} in stages ${stages.join(', ')}`;
  }

  run(context: ExecutorContext): Promise<void> {
    const { stages, startUsers } = this.config;
    return driveUsers(context, this.durationMs, (t) =>
      Math.round(stageValue(stages, startUsers, t)),
    );
  }
}
