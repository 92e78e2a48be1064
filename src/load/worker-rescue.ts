/**
 * A load worker thread that a user's task froze (see watchdog.ts for the main thread's case):
 * the run's thread pauses it through the inspector's NodeWorker domain (V8 handles that without
 * the worker's loop), names the frame it is stuck in, and has the worker post what it recorded
 * from inside the pause. The caller then terminates the worker, which, unlike the main thread,
 * can be ended mid-task.
 */
import { Session } from 'node:inspector';
import type { Worker } from 'node:worker_threads';
import {
  describeFrames,
  inspectorCall,
  type ParsedScript,
  type PausedFrame,
  stuckCall,
} from './stuck-frame.js';

interface FromInspector {
  readonly id?: number;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
  readonly result?: unknown;
  readonly error?: { readonly message: string };
}

/**
 * Pauses `worker`, has its stuck handler post the worker's `stuck` message, and resumes it.
 * Rejects after `timeoutMs` or when the inspector refuses; the worker is left to terminate.
 */
export async function rescueFrozenWorker(
  worker: Worker,
  blockedMs: number,
  timeoutMs = 5000,
): Promise<void> {
  const session = new Session();
  session.connect();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pauseAndCall(session, worker, blockedMs),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the inspector did not answer in ${timeoutMs / 1000}s`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    session.disconnect();
  }
}

async function pauseAndCall(session: Session, worker: Worker, blockedMs: number): Promise<void> {
  const attached = new Promise<string>((resolve) => {
    const onAttach = ({ params }: { params: Record<string, unknown> }) => {
      // Node numbers its inspector's workers on its own (a module loader's thread among them):
      // the title, `[worker <threadId>] <name>`, tells which is this one.
      const info = params.workerInfo as { title: string };
      if (!info.title.startsWith(`[worker ${worker.threadId}]`)) return;
      session.off('NodeWorker.attachedToWorker', onAttach);
      resolve(params.sessionId as string);
    };
    session.on('NodeWorker.attachedToWorker', onAttach);
  });
  await inspectorCall(session, 'NodeWorker.enable', { waitForDebuggerOnStart: false });
  const sessionId = await attached;

  // The worker's own inspector, through the run thread's session.
  let next = 0;
  const waiting = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  const scripts = new Map<string, ParsedScript>();
  let onPaused: ((frames: PausedFrame[]) => void) | undefined;
  session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
    if (params.sessionId !== sessionId) return;
    const message = JSON.parse(params.message) as FromInspector;
    if (message.id !== undefined) {
      const call = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) call?.reject(new Error(message.error.message));
      else call?.resolve(message.result);
    } else if (message.method === 'Debugger.scriptParsed') {
      const p = message.params as { scriptId: string; url: string; sourceMapURL?: string };
      scripts.set(p.scriptId, { url: p.url, sourceMapURL: p.sourceMapURL });
    } else if (message.method === 'Debugger.paused') {
      onPaused?.((message.params as { callFrames: PausedFrame[] }).callFrames);
    }
  });
  const remote = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      waiting.set(id, { resolve: (r) => resolve(r as T), reject });
      session.post(
        'NodeWorker.sendMessageToWorker',
        { sessionId, message: JSON.stringify({ id, method, params }) },
        (error) => {
          if (error) {
            waiting.delete(id);
            reject(error);
          }
        },
      );
    });
  const paused = new Promise<PausedFrame[]>((resolve) => {
    onPaused = resolve;
  });
  await remote('Debugger.enable');
  await remote('Debugger.pause');
  const frames = await paused;
  const ours = new URL('..', import.meta.url).href;
  const { where } = describeFrames(frames, scripts, ours);
  const answer = await remote<{ exceptionDetails?: { exception?: { description?: string } } }>(
    'Runtime.evaluate',
    {
      expression: stuckCall(where, blockedMs),
    },
  );
  // A worker terminated while paused never ends: it is resumed first.
  await remote('Debugger.resume');
  if (answer.exceptionDetails)
    throw new Error(answer.exceptionDetails.exception?.description ?? 'the stuck handler threw');
}
