import { request, WebSocket } from 'undici';
import { PerfError } from '../errors.js';
import type { CpuProfile } from './cpu-profile.js';

/** Whether a host name or address only this machine can reach. */
function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

const fail = (message: string) => new PerfError('FP_ERR_PROFILE', message);

/** How long a call to the service may take; a heap snapshot passes its own, longer. */
const CALL_TIMEOUT_MS = 60_000;

/**
 * The DevTools WebSocket address of a Node process started with `--inspect`: given as it is
 * (`ws://...`), or found at `http://HOST:PORT/json/list`. An inspector runs any code it is sent,
 * so one beyond loopback needs `allowRemote`. @throws PerfError FP_ERR_PROFILE
 */
export async function inspectorSocketUrl(address: string, allowRemote = false): Promise<string> {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(address) ? address : `http://${address}`);
  } catch {
    throw fail(
      `--inspect ${address} is not an address; give http://127.0.0.1:9229 or the ws:// address the service printed`,
    );
  }
  if (!['http:', 'ws:'].includes(url.protocol))
    throw fail(`--inspect ${address}: expected http://HOST:PORT or ws://HOST:PORT/ID`);
  if (!isLoopbackHost(url.hostname) && !allowRemote)
    throw fail(
      `the inspector at ${url.host} is not on this machine; an inspector runs any code it is sent, so add --allow-remote-inspector if you mean it`,
    );
  if (url.protocol === 'ws:') return url.href;
  const list = `http://${url.host}/json/list`;
  let body: unknown;
  try {
    const answer = await request(list, { headersTimeout: 3000, bodyTimeout: 3000 });
    body = await answer.body.json();
  } catch {
    throw fail(
      `no inspector answers at ${url.host}; start the service with node --inspect=${url.host} (or send it SIGUSR1), then try again`,
    );
  }
  const target = Array.isArray(body)
    ? (body as Array<{ webSocketDebuggerUrl?: unknown }>).find(
        (t) => typeof t.webSocketDebuggerUrl === 'string',
      )
    : undefined;
  if (!target)
    throw fail(`${list} lists no debuggable process; is it a Node service started with --inspect?`);
  return target.webSocketDebuggerUrl as string;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** A DevTools protocol session with one Node process: JSON-RPC over its inspector WebSocket. */
export class Inspector {
  #next = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<string, Set<(params: unknown) => void>>();
  #closed: Error | undefined;
  readonly #onClose = new Set<(error: Error) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number;
        method?: string;
        params?: unknown;
        result?: unknown;
        error?: { message: string };
      };
      if (message.id === undefined) {
        if (message.method)
          for (const listener of this.#listeners.get(message.method) ?? [])
            listener(message.params);
        return;
      }
      const waiting = this.#pending.get(message.id);
      if (!waiting) return;
      this.#pending.delete(message.id);
      if (message.error) waiting.reject(new Error(message.error.message));
      else waiting.resolve(message.result);
    });
    socket.addEventListener('close', () => {
      this.#closed = new Error('the inspector connection closed (did the service exit?)');
      for (const waiting of this.#pending.values()) waiting.reject(this.#closed);
      this.#pending.clear();
      for (const listener of this.#onClose) listener(this.#closed);
    });
  }

  /** Connects to a process's inspector. @throws PerfError FP_ERR_PROFILE */
  static async connect(address: string, allowRemote = false): Promise<Inspector> {
    const url = await inspectorSocketUrl(address, allowRemote);
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener(
        'error',
        () =>
          reject(
            fail(
              `cannot connect to the inspector at ${url}; is another debugger attached? (an inspector takes one client at a time in older Node versions)`,
            ),
          ),
        { once: true },
      );
    });
    return new Inspector(socket);
  }

  /**
   * One protocol call; resolves with its result. A service that stops answering (stopped with
   * SIGSTOP, a network gone quiet) fails the call after `timeoutMs`, so nothing waits forever.
   * @default timeoutMs 60 s
   */
  send<T = unknown>(
    method: string,
    params: Record<string, unknown> = {},
    timeoutMs = CALL_TIMEOUT_MS,
  ): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`the service did not answer ${method} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      timer.unref();
      const done = () => clearTimeout(timer);
      this.#pending.set(id, {
        resolve: (value) => {
          done();
          (resolve as (value: unknown) => void)(value);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Calls `listener` with each event `method` the process sends; returns the unsubscribe. */
  on<T = unknown>(method: string, listener: (params: T) => void): () => void {
    const set = this.#listeners.get(method) ?? new Set();
    this.#listeners.set(method, set);
    const each = listener as (params: unknown) => void;
    set.add(each);
    return () => set.delete(each);
  }

  /** Calls `listener` once when the connection closes (the service exited, or `close()`). */
  onClose(listener: (error: Error) => void): () => void {
    if (this.#closed) {
      listener(this.#closed);
      return () => undefined;
    }
    this.#onClose.add(listener);
    return () => this.#onClose.delete(listener);
  }

  close(): void {
    this.#onClose.clear();
    this.socket.close();
  }
}

/** Starts the CPU profiler, sampling every `intervalUs` microseconds. */
export async function startCpuProfile(inspector: Inspector, intervalUs: number): Promise<void> {
  await inspector.send('Profiler.enable');
  await inspector.send('Profiler.setSamplingInterval', { interval: intervalUs });
  await inspector.send('Profiler.start');
}

/** Stops the CPU profiler and returns what it recorded since the start. */
export async function stopCpuProfile(inspector: Inspector): Promise<CpuProfile> {
  const { profile } = await inspector.send<{ profile: CpuProfile }>('Profiler.stop');
  await inspector.send('Profiler.disable');
  return profile;
}

/** Runs an expression in the service (its value returned by value); throws what it threw. */
export async function evaluate(inspector: Inspector, expression: string): Promise<unknown> {
  const answer = await inspector.send<{
    result: { value?: unknown };
    exceptionDetails?: { text: string; exception?: { description?: string } };
  }>('Runtime.evaluate', { expression, includeCommandLineAPI: true, returnByValue: true });
  if (answer.exceptionDetails)
    throw new Error(answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text);
  return answer.result.value;
}
