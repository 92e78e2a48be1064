import type { Session } from 'node:inspector';
import { SourceMap } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The global a frozen thread's stuck handler is registered under (a symbol, so that a watchdog's
 * inspector expression can reach it from any frame): `(where: string, blockedMs: number) => never`.
 */
export const STUCK_HANDLER = 'fiml-perf.stuck-handler';

/** The result's stopReason for a task that froze its thread. */
export function stuckReason(
  stuck: { readonly where: string; readonly blockedMs: number },
  task: { readonly userClass: string; readonly task: string } | undefined,
): string {
  const seconds = `${Math.round(stuck.blockedMs / 100) / 10}s`;
  // Outside a task: a hook (onStart, onStop) or the scenario's top-level code.
  const who = task?.task ? `task ${task.userClass}.${task.task}` : "the scenario's code";
  return `${who} did not yield for ${seconds} (--max-block): stuck in ${stuck.where}`;
}

/**
 * The inspector expression a watchdog evaluates in a paused, frozen thread: it calls the stuck
 * handler that thread registered.
 */
export function stuckCall(where: string, blockedMs: number): string {
  return `globalThis[Symbol.for(${JSON.stringify(STUCK_HANDLER)})](${JSON.stringify(where)}, ${blockedMs})`;
}

/** One inspector call on `session`, as a promise. */
export function inspectorCall<T>(
  session: Session,
  method: string,
  params: object = {},
): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))),
  );
}

/** A frame of the inspector's `Debugger.paused` event (the fields used here). */
export interface PausedFrame {
  readonly callFrameId: string;
  readonly functionName: string;
  readonly location: {
    readonly scriptId: string;
    readonly lineNumber: number;
    readonly columnNumber?: number;
  };
  readonly url?: string;
  readonly this?: { readonly className?: string };
}

/** A script the inspector reported (`Debugger.scriptParsed`): its URL and source map's. */
export interface ParsedScript {
  readonly url: string;
  readonly sourceMapURL?: string;
}

/**
 * A position in the source the user wrote, through the script's inline source map (tsx compiles
 * a .ts scenario to one line, with its map inline); the position as run without one.
 */
function original(
  script: ParsedScript | undefined,
  line: number,
  column: number,
): { line: number; column: number } {
  const inline = /^data:application\/json[^,]*;base64,(.*)$/.exec(script?.sourceMapURL ?? '');
  if (!inline) return { line, column };
  try {
    const map = new SourceMap(JSON.parse(Buffer.from(inline[1] as string, 'base64').toString()));
    const entry = map.findEntry(line, column) as { originalLine?: number; originalColumn?: number };
    return entry.originalLine === undefined
      ? { line, column }
      : { line: entry.originalLine, column: entry.originalColumn ?? 0 };
  } catch {
    return { line, column };
  }
}

/** A script's URL as a user reads it: a path relative to the working folder, no loader query. */
function shown(url: string): string {
  const bare = url.replace(/\?.*$/, '');
  if (!bare.startsWith('file:')) return bare;
  const path = fileURLToPath(bare);
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/**
 * Where a paused thread is stuck, in words: the innermost frame of the user's own code (not
 * Node's, not fiml-perf's, whose folder is `ours`), as `Class.method (file:line:col)`; the
 * innermost frame when none is the user's. Also returns that frame, to evaluate on.
 */
export function describeFrames(
  frames: readonly PausedFrame[],
  scripts: ReadonlyMap<string, ParsedScript>,
  ours: string,
): { readonly where: string; readonly frame: PausedFrame } {
  if (frames.length === 0) throw new Error('the paused thread has no frames');
  const urlOf = (f: PausedFrame) => f.url || scripts.get(f.location.scriptId)?.url || '';
  const notOurs = (f: PausedFrame) => {
    const url = urlOf(f);
    return url !== '' && !url.startsWith('node:') && !url.startsWith(ours);
  };
  // The user's own files first, then a library's (a task stuck inside a call it made).
  const frame =
    frames.find((f) => notOurs(f) && !urlOf(f).includes('/node_modules/')) ??
    frames.find(notOurs) ??
    (frames[0] as PausedFrame);
  const name = frame.functionName || '(anonymous)';
  const owner = frame.this?.className;
  const qualified =
    owner &&
    owner !== 'Object' &&
    owner !== 'global' &&
    !name.includes('.') &&
    name !== '(anonymous)'
      ? `${owner}.${name}`
      : name;
  const url = urlOf(frame);
  const { line, column } = original(
    scripts.get(frame.location.scriptId),
    frame.location.lineNumber,
    frame.location.columnNumber ?? 0,
  );
  const at = url ? ` (${shown(url)}:${line + 1}:${column + 1})` : '';
  return { where: `${qualified}${at}`, frame };
}
