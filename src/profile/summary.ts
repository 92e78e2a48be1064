/**
 * `profile.json`, the summary a profile folder carries: one contract, written by the service
 * profiler and the benchmark profiler, read by the report (`report --profile`, `run --profile`).
 * The parts the report reads are checked when read; the rest is typed for the writer.
 */
import { z } from 'zod';
import type { Diagnosis, ServiceSignals } from './diagnosis.js';
import type { HeapSample, LeakVerdict } from './heap.js';
import type { ConstructorGrowth } from './heap-snapshot.js';

const hotFunction = z.object({
  name: z.string(),
  where: z.string(),
  class: z.string(),
  selfMs: z.number(),
  totalMs: z.number(),
  attributedSelfMs: z.number(),
  hotLines: z.array(z.object({ line: z.number(), ms: z.number() })),
  deoptReason: z.string().optional(),
});

const cpu = z.object({
  durationMs: z.number(),
  busyMs: z.number(),
  byClassMs: z.record(z.string(), z.number()).optional(),
  packages: z.array(z.object({ name: z.string(), ms: z.number() })).optional(),
  functions: z.array(hotFunction),
});

const tool = z.object({ name: z.string(), version: z.string() });
const window = z.object({ fromS: z.number(), toS: z.number() });

const diagnosis = z.object({
  category: z.string(),
  title: z.string(),
  evidence: z.array(z.object({ name: z.string(), value: z.string() })),
  actions: z.array(z.string()),
}) as unknown as z.ZodType<Diagnosis>;

/** A service profiled under a load (`profile`, `run --profile`) that ran to its end. */
const complete = z.object({
  tool,
  status: z.literal('complete'),
  target: z.string(),
  window,
  samplingIntervalUs: z.number(),
  load: z.object({
    requests: z.number(),
    failures: z.number(),
    rps: z.number(),
    latencyMs: z.record(z.string(), z.number()),
  }),
  signals: z.custom<ServiceSignals>().nullable(),
  diagnosis: z.array(diagnosis),
  heap: z
    .object({
      leak: z.custom<LeakVerdict>(
        (v) =>
          typeof v === 'object' &&
          v !== null &&
          typeof (v as LeakVerdict).verdict === 'string' &&
          typeof (v as LeakVerdict).summary === 'string',
      ),
      samples: z.array(z.custom<HeapSample>()),
      allocationGrowth: z.array(
        z.object({
          name: z.string(),
          where: z.string(),
          liveBytes: z.number(),
          growthBytes: z.number(),
        }),
      ),
    })
    .nullable(),
  heapSnapshots: z
    .object({
      taken: z.array(
        z.object({
          file: z.string(),
          t: z.number(),
          requests: z.number(),
          pauseMs: z.number(),
          objects: z.number().optional(),
          bytes: z.number().optional(),
        }),
      ),
      classes: z.array(z.custom<ConstructorGrowth>()),
    })
    .nullable(),
  cpu,
});

/** A service profile that could not be finished: the load's result stands, this says why. */
const failed = z.object({
  tool,
  status: z.literal('failed'),
  target: z.string(),
  /** What went wrong, on one line (the service exited, its inspector closed...). */
  reason: z.string(),
  /** As far as the window got; toS 0 when it never closed. */
  window,
});

/** Component benchmarks profiled in process (`profile --target`, `bench --profile`). */
const benchmarks = z.object({
  tool,
  status: z.literal('benchmarks'),
  target: z.string(),
  benchmarks: z.array(z.object({ id: z.string(), file: z.string(), iterations: z.number() })),
  cpu,
});

/** Folders written before profile.json had a status were complete service profiles. */
const schema = z.preprocess(
  (raw) =>
    typeof raw === 'object' && raw !== null && !('status' in raw)
      ? { ...raw, status: 'benchmarks' in raw ? 'benchmarks' : 'complete' }
      : raw,
  z.discriminatedUnion('status', [complete, failed, benchmarks]),
);

export type ProfileFile = z.infer<typeof schema>;
export type ServiceProfileFile = z.infer<typeof complete>;
export type FailedProfileFile = z.infer<typeof failed>;
export type BenchmarksProfileFile = z.infer<typeof benchmarks>;
export type HotFunctionEntry = z.infer<typeof hotFunction>;

/**
 * Reads a folder's profile.json. @returns the summary, or the reason it cannot be read (one
 * line, for the caller to show)
 */
export function parseProfileFile(raw: unknown, file: string): ProfileFile | string {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return `${file} is not a fiml-perf profile summary (${issue?.path.join('.') || issue?.message})`;
}

/** profile.json's text: what the writers put in the folder. */
export function profileFileText(summary: ProfileFile): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}
