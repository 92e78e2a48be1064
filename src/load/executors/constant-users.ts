import { formatDuration } from '../../util/duration.js';
import { driveUsers, type Executor, type ExecutorContext, type LoadUnits } from './executor.js';

export interface ConstantUsersConfig {
  readonly type: 'constant-users';
  readonly users: number;
  /** Users started a second until all run (Locust's --spawn-rate). */
  readonly spawnRate: number;
  readonly durationMs: number;
}

/** Closed model, Locust's headless run: ramp to `users` at `spawnRate`, hold until the end. */
export class ConstantUsersExecutor implements Executor {
  readonly type = 'constant-users';
  readonly model = 'closed';
  readonly durationMs: number;

  constructor(private readonly config: ConstantUsersConfig) {
    this.durationMs = config.durationMs;
  }

  describe(units: LoadUnits = 'users'): string {
    const { users, spawnRate } = this.config;
    const length = formatDuration(this.durationMs);
    // Quick mode opens its connections at once: its spawn rate is no setting of the user's.
    return units === 'connections'
      ? `closed model: ${users} connections, ${length}`
      : `closed model: ${users} users, spawning ${spawnRate}/s, ${length}`;
  }

  run(context: ExecutorContext): Promise<void> {
    const { users, spawnRate } = this.config;
    // The first user starts at once, then one every 1/spawnRate seconds.
    return driveUsers(context, this.durationMs, (t) =>
      Math.min(users, 1 + Math.floor((spawnRate * t) / 1000)),
    );
  }
}
