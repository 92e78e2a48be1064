import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { DeltaRecorder, encodeHistogram } from '../stats/index.js';
import { createExecutor, Steering, segmentFor } from './executors/index.js';
import { GeneratorMonitor, LoopWatch } from './generator-monitor.js';
import { createTarget, type LoadPlan } from './plan.js';
import { loadScenario, selectClasses } from './scenario-loader.js';
import type { Segment } from './segment.js';
import type { FromWorker, ToWorker } from './worker-messages.js';

// One worker thread: runs its share of the plan and reports a stats delta every second.
const { plan, segment, startAt, grace } = workerData as {
  plan: LoadPlan;
  segment: Segment;
  startAt: number;
  grace: number;
};
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

const recorder = new DeltaRecorder();
const monitor = new GeneratorMonitor(false);
const controller = new AbortController();
let graceMs = grace;
// A steered run: this worker's share, changed by the run's 'steer' messages.
const steering = plan.executor.type === 'steered' ? new Steering(plan.executor) : undefined;
port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') {
    graceMs = message.graceMs;
    controller.abort();
  } else if (message.type === 'names') recorder.restrict(message.recorded);
  else if (message.type === 'steer') steering?.set(message.change);
});

const classes =
  plan.workload.kind === 'scenario'
    ? selectClasses(await loadScenario(plan.workload.file), plan.workload.classNames)
    : [];
const { target, close } = createTarget(plan, recorder, classes, segment);
const executor = createExecutor(plan.executor, steering);
const wait = startAt - Date.now();
if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
// Watch the loop from the common start: loading the scenario is not part of the run.
const loop = new LoopWatch();
let warned = false;
const context = {
  target,
  signal: controller.signal,
  startedAt: performance.now(),
  segment: segmentFor(plan.executor, segment),
  recordLag: (micros: number) => monitor.recordLag(micros),
  dropped: () => {
    monitor.dropped++;
    if (!warned) {
      warned = true;
      post({ type: 'dropped' });
    }
  },
};
const ticker = setInterval(
  () => post({ type: 'delta', delta: recorder.take(), users: target.users }),
  1000,
);
await executor.run(context);
await target.stop(graceMs);
clearInterval(ticker);
await close();
post({
  type: 'done',
  delta: recorder.take(),
  lag: loop.stop(),
  scheduleLag: encodeHistogram(monitor.scheduleLag),
  dropped: monitor.dropped,
});
port.close();
