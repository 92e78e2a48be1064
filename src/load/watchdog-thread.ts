/**
 * The watchdog's own thread (see watchdog.ts): it reads the beat of the process's main thread and,
 * once the beat has stood still for the limit, pauses that thread through the inspector, names
 * the frame it is stuck in, and calls the main thread's stuck handler from inside the pause. It
 * never logs through `console` (a worker's console goes through the frozen main thread).
 */
import { writeSync } from 'node:fs';
import { Session } from 'node:inspector';
import { workerData } from 'node:worker_threads';
import { BeatReader } from './beat.js';
import {
  describeFrames,
  inspectorCall,
  type ParsedScript,
  type PausedFrame,
  stuckCall,
} from './stuck-frame.js';

const { beat, maxBlockMs, ours } = workerData as {
  beat: Int32Array;
  maxBlockMs: number;
  /** Our own files' folder (file: URL): a frame there is not where a user's code is stuck. */
  ours: string;
};

const pollMs = Math.min(100, Math.max(10, maxBlockMs / 10));
const reader = new BeatReader(beat, maxBlockMs, pollMs);
const poll = setInterval(() => {
  const blockedMs = reader.check();
  if (blockedMs === undefined) return;
  clearInterval(poll);
  void rescue(Math.round(blockedMs));
}, pollMs);

async function rescue(blockedMs: number): Promise<void> {
  // The thread stays alive while the inspector answers (a pending promise alone would not keep it).
  const alive = setInterval(() => {}, 1000);
  const session = new Session();
  try {
    session.connectToMainThread();
    const scripts = new Map<string, ParsedScript>();
    session.on('Debugger.scriptParsed', ({ params }) =>
      scripts.set(params.scriptId, { url: params.url, sourceMapURL: params.sourceMapURL }),
    );
    const paused = new Promise<PausedFrame[]>((resolve) =>
      session.once('Debugger.paused', ({ params }) =>
        resolve(params.callFrames as unknown as PausedFrame[]),
      ),
    );
    // Both reach the frozen thread through V8's interrupts: its loop need not turn.
    await inspectorCall(session, 'Debugger.enable');
    await inspectorCall(session, 'Debugger.pause');
    const frames = await paused;
    const { where } = describeFrames(frames, scripts, ours);
    // The handler writes the result and ends the process from inside the pause; this returns
    // only when it failed.
    const answer = await inspectorCall<{
      exceptionDetails?: { exception?: { description?: string } };
    }>(session, 'Runtime.evaluate', {
      expression: stuckCall(where, blockedMs),
    });
    throw new Error(answer.exceptionDetails?.exception?.description ?? 'the handler returned');
  } catch (error) {
    writeSync(
      2,
      `fiml-perf: a task blocked the event loop for ${Math.round(blockedMs / 1000)}s and the run could not be ended cleanly (${(error as Error).message}); ending the process\n`,
    );
    clearInterval(alive);
    process.kill(process.pid, 'SIGKILL');
  }
}
