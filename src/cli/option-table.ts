import type { Command } from 'commander';
import { z } from 'zod';
import { PerfError } from '../errors.js';
import { parseDuration } from '../util/duration.js';

/** One flag: how it is written, what it does, and the schema (with its default) of its value. */
export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  readonly schema: z.ZodType;
  /** Environment variable read when the flag is absent. */
  readonly env?: string;
  /** The flag may be given many times; its values arrive as a list. */
  readonly repeatable?: boolean;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

export type ResolvedOptions<T extends OptionTable> = Readonly<{
  [K in keyof T]: z.output<T[K]['schema']>;
}>;

function defaultOf(spec: OptionSpec): unknown {
  const parsed = spec.schema.safeParse(undefined);
  return parsed.success ? parsed.data : undefined;
}

/** Adds every flag of the table to a command; help shows defaults and environment variables. */
export function addOptions(command: Command, table: OptionTable): Command {
  for (const spec of Object.values(table)) {
    const fallback = defaultOf(spec);
    const shown = (spec.schema.meta() as { shown?: string } | undefined)?.shown;
    const notes = [
      fallback !== undefined && typeof fallback !== 'boolean'
        ? `default: ${shown ?? JSON.stringify(fallback)}`
        : '',
      spec.env ? `env: ${spec.env}` : '',
    ].filter(Boolean);
    const description = notes.length
      ? `${spec.description} (${notes.join(', ')})`
      : spec.description;
    if (spec.repeatable)
      command.option(spec.flags, description, (value: string, previous: string[] | undefined) => [
        ...(previous ?? []),
        value,
      ]);
    else command.option(spec.flags, description);
  }
  return command;
}

function flagName(spec: OptionSpec): string {
  return spec.flags.split(/[ ,]+/).find((f) => f.startsWith('--')) ?? spec.flags;
}

/**
 * Validates what commander parsed against the table, every problem at once, and returns frozen
 * values with defaults applied. @throws PerfError FP_ERR_INVALID_FLAG
 */
export function resolveOptions<T extends OptionTable>(
  table: T,
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedOptions<T> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    // An environment variable set to the empty string counts as unset.
    const value = raw[key] ?? (spec.env ? env[spec.env] || undefined : undefined);
    const parsed = spec.schema.safeParse(value);
    if (parsed.success) out[key] = parsed.data;
    else
      problems.push(
        // A required flag not given is named alone ("--file undefined" read as a value).
        value === undefined
          ? `${flagName(spec)} is missing: ${parsed.error.issues[0]?.message}`
          : `${flagName(spec)} ${JSON.stringify(value)}: ${parsed.error.issues[0]?.message}`,
      );
  }
  if (problems.length > 0) throw new PerfError('FP_ERR_INVALID_FLAG', problems.join('; '));
  return Object.freeze(out) as ResolvedOptions<T>;
}

function wholeNumber(min: number, max: number) {
  const message = `expected a whole number from ${min} to ${max}`;
  return z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z.number({ error: message }).int(message).min(min, message).max(max, message),
  );
}

function anyNumber(min: number, max: number) {
  const message = `expected a number from ${min} to ${max}`;
  return z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
    z.number({ error: message }).min(min, message).max(max, message),
  );
}

/** A share written as a percentage (`5%`) or a fraction (`0.05`), as a fraction; else undefined. */
export function parseShare(text: string): number | undefined {
  const match = /^\s*(-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?)\s*(%?)\s*$/i.exec(text);
  if (!match) return undefined;
  const n = Number(match[1]);
  return match[2] ? n / 100 : n;
}

/** A fraction as a percentage, for help and messages: 0.05 is 5%. */
export const asPercent = (fraction: number) => `${Number((fraction * 100).toPrecision(6))}%`;

function share(min: number, max: number) {
  const message = `expected a share such as 5% or 0.05, from ${asPercent(min)} to ${asPercent(max)}`;
  return z.preprocess(
    (v) => (typeof v === 'string' ? (parseShare(v) ?? v) : v),
    z.number({ error: message }).min(min, message).max(max, message),
  );
}

/** A duration as text (500ms, 30s, 5m, 1h30m) of at least `minMs`; kept as text. */
function duration(example: string, minMs: number) {
  return z
    .string()
    .refine(
      (v) => (parseDuration(v) ?? -1) >= minMs,
      minMs >= 1000
        ? `expected a duration of ${minMs / 1000}s or more, such as ${example}`
        : `expected a duration such as ${example}`,
    );
}

/** Flag values arrive as text; these schemas accept text and check the range. */
export const flag = {
  /** A duration, `fallback` when left out; at least `minMs` (default: more than zero). */
  duration: (example: string, fallback: string, minMs = 1) =>
    duration(example, minMs).default(fallback),
  /** A duration that may be left out (undefined); at least `minMs` (default: more than zero). */
  optionalDuration: (example: string, minMs = 1) => duration(example, minMs).optional(),
  int: (min: number, max: number, fallback: number) => wholeNumber(min, max).default(fallback),
  /** A whole number that may be left out (undefined). */
  optionalInt: (min: number, max: number) => wholeNumber(min, max).optional(),
  number: (min: number, max: number, fallback: number) => anyNumber(min, max).default(fallback),
  optionalNumber: (min: number, max: number) => anyNumber(min, max).optional(),
  bool: (fallback: boolean) => z.boolean().default(fallback),
  /** A share, fraction or percentage: `5%` or `0.05` (every such flag takes both), as a fraction. */
  share: (min: number, max: number, fallback: number) =>
    share(min, max)
      .default(fallback)
      .meta({ shown: asPercent(fallback) }),
  optionalShare: (min: number, max: number) => share(min, max).optional(),
};
