import { parentPort, workerData } from 'node:worker_threads';
import { startBeat } from './beat.js';
import type { LoadPlan } from './plan.js';
import type { Segment } from './segment.js';
import { ShareRun } from './share.js';
import { currentTask } from './stray-errors.js';
import { STUCK_HANDLER, stuckReason } from './stuck-frame.js';
import type { FromWorker, ToWorker } from './worker-messages.js';

// One worker thread: runs its segment of the plan and reports a stats delta every second.
const { plan, segment, startAt, grace, beat } = workerData as {
  plan: LoadPlan;
  segment: Segment;
  startAt: number;
  grace: number;
  /** This thread's beat, read by the run's thread: a beat that stops is a frozen thread. */
  beat: Int32Array;
};
const port = parentPort!;
// From now on the run's thread can tell this one frozen (a scenario that loops as it loads too).
startBeat(beat, 50);
const post = (message: FromWorker) => port.postMessage(message);

const share = new ShareRun({
  plan,
  segment,
  graceMs: grace,
  onDelta: (delta, users) => post({ type: 'delta', delta, users }),
  onDropped: () => post({ type: 'dropped' }),
});
// Called by the run's thread from inside its pause of this frozen thread (worker-rescue.ts).
(globalThis as Record<symbol, unknown>)[Symbol.for(STUCK_HANDLER)] = (
  where: string,
  blockedMs: number,
) =>
  post({
    type: 'stuck',
    reason: stuckReason({ where, blockedMs }, currentTask()),
    ...share.endNow(),
  });
port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') share.stop(message.graceMs);
  else if (message.type === 'names') share.restrict(message.recorded);
  else if (message.type === 'folds') share.fold(message.folds);
  else if (message.type === 'steer') share.steering?.set(message.change);
});
const run = await share.prepare();
const end = await run(startAt);
post({ type: 'done', ...end });
port.close();
