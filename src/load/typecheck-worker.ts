import { parentPort, workerData } from 'node:worker_threads';
import { checkTypes } from './typecheck.js';

// One type check in a thread of its own; the compiler's memory goes when the thread ends.
const { path, cwd } = workerData as { path: string; cwd: string };
parentPort?.postMessage(await checkTypes(path, cwd));
