import { Session } from 'node:inspector/promises';
import type { CpuProfile } from './cpu-profile.js';

/** A workload to profile in this process: a benchmark's function and its setup. */
export interface Workload {
  readonly id: string;
  readonly fn: (context: never) => unknown;
  readonly setup?: () => unknown;
  readonly teardown?: (context: unknown) => unknown;
}

/**
 * Profiles workloads in this process (node:inspector): each is set up, warmed for a tenth of its
 * time, then run in a loop for `timeMs` while the CPU profiler samples, awaiting what it returns.
 * One profile covers them all; set-up and warm-up are not in it.
 */
export async function profileWorkloads(
  workloads: readonly Workload[],
  options: { readonly timeMs: number; readonly intervalUs: number },
): Promise<{ profile: CpuProfile; iterations: Record<string, number> }> {
  const session = new Session();
  session.connect();
  const iterations: Record<string, number> = {};
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: options.intervalUs });
    const runFor = async (work: Workload, context: unknown, ms: number) => {
      let n = 0;
      const end = performance.now() + ms;
      while (performance.now() < end) {
        const out = work.fn(context as never);
        if (out instanceof Promise) await out;
        n++;
      }
      return n;
    };
    const contexts = new Map<Workload, unknown>();
    for (const work of workloads) {
      const context = await work.setup?.();
      contexts.set(work, context);
      await runFor(work, context, options.timeMs / 10);
    }
    await session.post('Profiler.start');
    for (const work of workloads)
      iterations[work.id] = await runFor(work, contexts.get(work), options.timeMs);
    const { profile } = await session.post('Profiler.stop');
    for (const work of workloads) await work.teardown?.(contexts.get(work));
    return { profile: profile as unknown as CpuProfile, iterations };
  } finally {
    await session.post('Profiler.disable').catch(() => undefined);
    session.disconnect();
  }
}
