import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../../src/load/index.js';
import {
  startSchema,
  startUiServer,
  type UiServer,
  type UiServerOptions,
  UiSession,
  type UiSessionOptions,
} from '../../src/ui/index.js';

export const UI_SCENARIO = fileURLToPath(new URL('../fixtures/scenarios/ui.ts', import.meta.url));

/** A session on the test scenario against `host`, and its server on 127.0.0.1:0. */
export async function startUi(
  host: string,
  options: Partial<UiSessionOptions> = {},
  server: Partial<UiServerOptions> = {},
): Promise<{ session: UiSession; server: UiServer; base: string; log: string[] }> {
  const scenario = await loadScenario(UI_SCENARIO);
  const log: string[] = [];
  const session = new UiSession({
    scenarioFile: UI_SCENARIO,
    classes: scenario.classes,
    defaultClasses: ['PriceUser'],
    plan: {
      seed: 1,
      timeoutMs: 5000,
      headers: {},
      client: { insecure: false, http2: false, maxRedirects: 10 },
    },
    defaultHost: host,
    embedded: false,
    defaults: startSchema.parse({ users: 2 }),
    workers: 1,
    graceMs: 1000,
    targetSettings: {
      windowMs: undefined,
      abortOnFail: false,
      abortDelayMs: 10_000,
      allowUnknown: false,
      healthPath: '/health',
      metricsPath: '/metrics',
    },
    targetsFiles: { folder: process.cwd() },
    outputs: {},
    version: 'test',
    log: (line) => log.push(line),
    ...options,
  });
  const ui = await startUiServer({ session, host: '127.0.0.1', port: 0, ...server });
  return { session, server: ui, base: `http://127.0.0.1:${ui.port}`, log };
}

export interface Received {
  readonly type: string;
  // biome-ignore lint/suspicious/noExplicitAny: events are read as arbitrary JSON
  readonly data: any;
}

/** An open event stream: what it received so far, and a wait for an event that matches. */
export interface EventStream {
  readonly events: Received[];
  next(match: (event: Received) => boolean, timeoutMs?: number): Promise<Received>;
  close(): void;
}

/** Opens /api/events like a browser tab does (EventSource), over plain HTTP. */
export function openEvents(
  base: string,
  headers: Record<string, string> = {},
): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const events: Received[] = [];
    const waiters = new Set<() => void>();
    const req = http.get(`${base}/api/events`, { headers }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`event stream answered ${res.statusCode}`));
        return;
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let at = buffer.indexOf('\n\n');
        while (at >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const type = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (type && data) events.push({ type, data: JSON.parse(data) });
          for (const wake of waiters) wake();
          at = buffer.indexOf('\n\n');
        }
      });
      resolve({
        events,
        next(match, timeoutMs = 10_000) {
          const from = events.length;
          return new Promise((found, fail) => {
            const check = () => {
              const hit = events.slice(from).find(match);
              if (hit) {
                waiters.delete(check);
                clearTimeout(timer);
                found(hit);
              }
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching event in ${timeoutMs} ms`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}
