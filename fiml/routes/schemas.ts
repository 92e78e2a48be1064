import { z } from 'zod';
import { NARRATIVE_STYLES } from '../analysis/index.js';

/** Query strings carry text; these accept both the JSON type and its text form. */
const bool = z.preprocess(
  (v) => {
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    return v;
  },
  z.boolean({ error: 'must be true or false' }),
);

const int = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
    z
      .number({ error: `must be a whole number from ${min} to ${max}` })
      .int(`must be a whole number from ${min} to ${max}`)
      .min(min, `must be a whole number from ${min} to ${max}`)
      .max(max, `must be a whole number from ${min} to ${max}`),
  );

const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v),
    z.array(item, { error: 'must be a list' }),
  );

const numberish = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
  z.number({ error: 'must be a number' }),
);

export const symbol = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(20, 'must be at most 20 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._=^-]*$/, 'must be letters, digits, and . _ = ^ -')
  .transform((s) => s.toUpperCase());

export const priceInput = z.object({
  symbol,
  provider: z
    .string({ error: 'must be a string' })
    .trim()
    .toLowerCase()
    .min(1, 'must not be empty')
    .max(40, 'must be at most 40 characters')
    .optional(),
});

export const marketDataInput = z.object({
  symbol,
  include_history: bool.default(false),
  days: int(1, 365).default(30),
  /** Hourly bars of the last hours (FIML's database only): 0 for none, at most 30 days'. */
  intraday_hours: int(0, 720).default(0),
});

export const narrativeInput = z.object({
  symbol,
  style: z
    .enum(NARRATIVE_STYLES, { error: `must be one of ${NARRATIVE_STYLES.join(', ')}` })
    .default('concise'),
  include_context: bool.default(true),
});

export const symbolInput = z.object({ symbol });

export const portfolioInput = z.object({
  symbols: list(symbol),
  weights: list(numberish),
});

export const dslInput = z.object({
  query: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(1000, 'must be at most 1000 characters'),
  include_metadata: bool.default(false),
});
