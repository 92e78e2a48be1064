/**
 * The service profiler when the service goes away mid-window (issue 24): every call to it fails
 * from then on, none of them may reject unhandled, and `finish` says the profile failed and why
 * instead of throwing, so the load's result stands.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServiceProfiler } from '../../src/profile/index.js';
import type { StatsRecorder } from '../../src/stats/index.js';
import { makeResult } from '../report/fixtures.js';

/** An inspector that answers until `kill()`, then rejects every call, as a closed socket does. */
function fakeInspector() {
  let closed: Error | undefined;
  const onClose = new Set<(error: Error) => void>();
  const calls: string[] = [];
  return {
    calls,
    kill() {
      closed = new Error('the inspector connection closed (did the service exit?)');
      for (const listener of onClose) listener(closed);
    },
    /** Every call fails from now on, with no close event (the service answers errors). */
    break(message: string) {
      closed = new Error(message);
    },
    send(method: string) {
      calls.push(method);
      if (closed) return Promise.reject(closed);
      if (method === 'Runtime.evaluate') return Promise.resolve({ result: { value: 'null' } });
      return Promise.resolve({});
    },
    on: () => () => undefined,
    onClose(listener: (error: Error) => void) {
      onClose.add(listener);
      return () => onClose.delete(listener);
    },
    close() {},
  };
}

const WAYS = {
  'its inspector closed': {
    end: (i: ReturnType<typeof fakeInspector>) => i.kill(),
    reason: /^the inspector connection closed \(did the service exit\?\) at [\d.]+s of the load$/,
  },
  'its calls failing, the socket still open': {
    end: (i: ReturnType<typeof fakeInspector>) => i.break('Execution context was destroyed.'),
    reason: /^Execution context was destroyed\. at [\d.]+s of the load$/,
  },
};

describe('ServiceProfiler, the service gone mid-window', () => {
  for (const [way, { end, reason }] of Object.entries(WAYS))
    it(`${way}: keeps the first failure, rejects nothing unhandled, and finishes as failed with the reason`, async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (why: unknown) => unhandled.push(why);
      process.on('unhandledRejection', onUnhandled);
      const out = join(mkdtempSync(join(tmpdir(), 'fiml-perf-profiler-')), 'profile');
      const notes: string[] = [];
      const inspector = fakeInspector();
      const profiler = new ServiceProfiler(inspector as never, {
        warmupMs: 1000,
        durationMs: 10_000,
        samplingIntervalUs: 1000,
        heap: true,
        heapEveryMs: 200,
        heapSnapshots: 3,
        out,
        top: 10,
        target: 'http://service',
        note: (line) => notes.push(line),
      });
      try {
        await profiler.begin();
        // A second past the warm-up: the window opens, and its calls are queued.
        const recorder = { startedAt: Date.now() - 1500, requests: 10 } as StatsRecorder;
        profiler.onTick(recorder);
        end(inspector);
        // The heap timer and the ticks go on calling after the service died.
        await new Promise((resolve) => setTimeout(resolve, 450));
        profiler.onTick({ ...recorder, startedAt: Date.now() - 9500 } as StatsRecorder);
        const result = makeResult({
          endpoints: [{ name: '/', samples: [[5, 10]] }],
          durationS: 10,
        });
        const outcome = await profiler.finish(result, false);
        expect(outcome.status).toBe('failed');
        expect(outcome.status === 'failed' && outcome.reason).toMatch(reason);
        expect(notes.some((n) => n.startsWith('Profile failed: '))).toBe(true);
        const written = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8'));
        expect(written).toMatchObject({ status: 'failed', target: 'http://service' });
        // Nothing after the failure was sent to the dead service but what was already queued.
        expect(inspector.calls.filter((c) => c === 'Profiler.stop')).toEqual([]);
        await new Promise((resolve) => setImmediate(resolve));
        expect(unhandled).toEqual([]);
      } finally {
        profiler.dispose();
        process.off('unhandledRejection', onUnhandled);
      }
    });
});
