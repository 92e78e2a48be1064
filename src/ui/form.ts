import { z } from 'zod';
import { parseDuration } from '../util/duration.js';

/** An http(s) URL that parses, with a host and a valid port. */
function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const MAX_RUN_TIME_MS = 30 * 86_400_000;
const isRunTime = (ms: number | undefined) =>
  ms !== undefined && Number.isFinite(ms) && ms > 0 && ms <= MAX_RUN_TIME_MS;

/** What the start form (or a script) sends to `POST /api/start`. */
export const startSchema = z
  .object({
    /** Base URL of the service; empty for the UI's default host. */
    host: z
      .string()
      .trim()
      .refine((v) => v === '' || isHttpUrl(v), {
        message: 'expected a URL such as http://127.0.0.1:8000',
      })
      .default(''),
    /** User classes of the scenario to run; empty for the default ones. */
    classes: z
      .array(z.string().min(1))
      .max(1000)
      .refine((list) => new Set(list).size === list.length, {
        message: 'a user class is named twice; name each once (weights set their share)',
      })
      .default([]),
    model: z.enum(['closed', 'open']).default('closed'),
    users: z.number().int().min(0).max(1_000_000).default(10),
    spawnRate: z.number().positive().max(1_000_000).default(10),
    rate: z.number().min(0).max(10_000_000).default(10),
    maxUsers: z.number().int().min(1).max(1_000_000).default(1000),
    /** How long, such as 30s or 5m; empty runs until stopped. */
    runTime: z
      .string()
      .trim()
      .refine((v) => v === '' || isRunTime(parseDuration(v)), {
        message:
          'expected a duration such as 30s or 5m (up to 30 days), or nothing to run until stopped',
      })
      .default(''),
    /** A targets file (YAML or JSON) on the machine the UI runs on. */
    targetsFile: z.string().trim().max(4096).default(''),
    /** Target expressions such as `p99 < 500ms`. */
    targets: z.array(z.string().trim().min(1).max(1000)).max(100).default([]),
  })
  .strict();

export type StartInput = z.infer<typeof startSchema>;

/** What `POST /api/edit` changes in a running test: users and spawn rate, or the rate. */
export const editSchema = z
  .object({
    users: z.number().int().min(0).max(1_000_000).optional(),
    spawnRate: z.number().positive().max(1_000_000).optional(),
    rate: z.number().min(0).max(10_000_000).optional(),
  })
  .strict()
  .refine((v) => v.users !== undefined || v.spawnRate !== undefined || v.rate !== undefined, {
    message: 'give users, spawnRate or rate',
  });

export type EditInput = z.infer<typeof editSchema>;

/** An empty body for the routes that take none (stop, reset). */
export const emptySchema = z.object({}).strict();

/** The first problem of a failed parse, as one line: `users: Too small: expected number to be >=0`. */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
