import { parentPort, workerData } from 'node:worker_threads';
import type { LoadPlan } from './plan.js';
import type { Segment } from './segment.js';
import { ShareRun } from './share.js';
import type { FromWorker, ToWorker } from './worker-messages.js';

// One worker thread: runs its segment of the plan and reports a stats delta every second.
const { plan, segment, startAt, grace } = workerData as {
  plan: LoadPlan;
  segment: Segment;
  startAt: number;
  grace: number;
};
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

const share = new ShareRun({
  plan,
  segment,
  graceMs: grace,
  onDelta: (delta, users) => post({ type: 'delta', delta, users }),
  onDropped: () => post({ type: 'dropped' }),
});
port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') share.stop(message.graceMs);
  else if (message.type === 'names') share.restrict(message.recorded);
  else if (message.type === 'steer') share.steering?.set(message.change);
});
const run = await share.prepare();
const end = await run(startAt);
post({ type: 'done', ...end });
port.close();
