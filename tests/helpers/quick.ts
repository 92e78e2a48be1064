import type { ClientConfig } from '../../src/load/index.js';
import { QuickRunner } from '../../src/load/index.js';
import type { Failure, Phases, RequestSink } from '../../src/stats/index.js';

/** One `sink.record` call, as quick mode made it. */
export interface Recorded {
  readonly method: string;
  readonly name: string;
  readonly micros: number;
  readonly bytes: number;
  readonly failure: Failure | undefined;
  readonly phases: Phases | undefined;
}

export interface QuickRecording {
  readonly calls: readonly Recorded[];
  readonly runner: QuickRunner;
}

/**
 * Runs quick mode against `url` until `count` requests were recorded (counted, not timed), then
 * stops it and returns every record call: what the recorder sees, phases included.
 */
export async function recordQuick(
  url: string,
  count: number,
  options: {
    client?: ClientConfig;
    /** Closed model: connections looping. @default 1 */
    connections?: number;
    /**
     * Open model instead: one iteration every `intervalMs`, up to `maxConnections`, each
     * scheduled `lateMs` before it is started (a late generator).
     */
    open?: { intervalMs: number; maxConnections: number; lateMs?: number };
    timeoutMs?: number;
    method?: string;
    body?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<QuickRecording> {
  const calls: Recorded[] = [];
  let reached: () => void = () => undefined;
  const enough = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const sink: RequestSink = {
    record(method, name, micros, bytes, failure, phases) {
      calls.push({ method, name, micros, bytes, failure, phases });
      if (calls.length === count) reached();
    },
    error: () => undefined,
  };
  const runner = new QuickRunner({
    url,
    sink,
    method: options.method,
    body: options.body,
    headers: options.headers,
    timeoutMs: options.timeoutMs ?? 5000,
    client: options.client,
    maxConnections: options.open?.maxConnections,
  });
  let timer: NodeJS.Timeout | undefined;
  if (options.open) {
    const { intervalMs, lateMs = 0 } = options.open;
    const tick = () => {
      const now = performance.now();
      runner.startIteration(now - lateMs, now);
      timer = setTimeout(tick, intervalMs);
    };
    tick();
  } else runner.setUsers(options.connections ?? 1);
  await enough;
  clearTimeout(timer);
  await runner.stop(2000);
  return { calls: calls.slice(0, count), runner };
}

/** The sum of a request's phases, in microseconds. */
export const phaseSum = (p: Phases) =>
  p.blocked + p.client + p.connect + p.tls + p.ttfb + p.receive;
