import { z } from 'zod';
import { DEFAULT_PROVIDERS } from './providers/index.js';

const outage = z.object({ startMs: z.number().min(0), endMs: z.number().min(0) });

const providerOverride = z
  .object({
    latency: z.object({ medianMs: z.number().min(0), sigma: z.number().min(0).max(3) }).partial(),
    errorRate: z.number().min(0).max(1),
    outages: z.array(outage),
  })
  .partial();

const PROVIDER_NAMES = DEFAULT_PROVIDERS.map((p) => p.name);

/** Options of `buildApp`; every field has a default. */
export const fimlOptionsSchema = z.object({
  /** Seed of every simulated price, history, headline and fundamental. */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(42),
  /** Redis URL for the L2 cache; no L2 when absent. */
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  /**
   * Where FIML keeps its market history and persistent cache: `embedded` (PostgreSQL inside
   * the process, PGlite) or a `postgres://` URL; none when absent (history from the providers).
   */
  database: z
    .string()
    .regex(/^(embedded$|postgres(ql)?:\/\/)/, 'must be embedded or start with postgres://')
    .optional(),
  /** Where the embedded database keeps its generated data between starts; null for nowhere. */
  databaseCacheDir: z.string().nullable().optional(),
  /** Mounts `/admin/faults` (loopback only). */
  enableFaultInjection: z.boolean().default(false),
  /** Multiplies every simulated provider latency; 0 makes providers answer at once. */
  latencyScale: z.number().min(0).max(100).default(1),
  /** Per-provider overrides of latency, error rate and outage windows. */
  providers: z
    .record(z.string(), providerOverride)
    .refine((r) => Object.keys(r).every((k) => PROVIDER_NAMES.includes(k)), {
      message: `provider names are ${PROVIDER_NAMES.join(', ')}`,
    })
    .default({}),
  cache: z
    .object({
      l1MaxEntries: z.number().int().min(1).default(10_000),
      ttlSeconds: z
        .object({
          price: z.number().positive(),
          market_data: z.number().positive(),
          history: z.number().positive(),
          intraday: z.number().positive(),
          sentiment: z.number().positive(),
          fundamentals: z.number().positive(),
        })
        .partial()
        .default({}),
      /** Load popular symbols into the cache at start. */
      warm: z.boolean().default(true),
    })
    .prefault({}),
  tasks: z
    .object({
      concurrency: z.number().int().min(1).default(16),
      maxQueue: z.number().int().min(0).default(1_000),
      failureRate: z.number().min(0).max(1).default(0),
    })
    .prefault({}),
  /** Instrument requests and operations (Prometheus metrics, performance JSON). */
  monitoring: z.boolean().default(true),
  slowQueryThresholdMs: z.number().positive().default(1_000),
  /** Registry failover: consecutive failures before a provider cools down, and for how long. */
  failover: z
    .object({
      failureThreshold: z.number().int().min(1).default(3),
      cooldownMs: z.number().int().min(0).default(30_000),
    })
    .prefault({}),
  /** pino log level, or false for no request log. */
  logLevel: z
    .union([z.literal(false), z.enum(['fatal', 'error', 'warn', 'info', 'debug'])])
    .default(false),
});

export type FimlOptions = z.input<typeof fimlOptionsSchema>;
export type ResolvedFimlOptions = Readonly<z.output<typeof fimlOptionsSchema>>;

/** Thrown by buildApp for options that do not validate; lists every problem. */
export class FimlOptionsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid FIML options: ${problems.join('; ')}`);
    this.name = 'FimlOptionsError';
  }
}

/** Validates options once, at the edge. @throws FimlOptionsError */
export function resolveFimlOptions(input: FimlOptions = {}): ResolvedFimlOptions {
  const parsed = fimlOptionsSchema.safeParse(input);
  if (!parsed.success) {
    throw new FimlOptionsError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`),
    );
  }
  return Object.freeze(parsed.data);
}
