import type { Command } from 'commander';
import { z } from 'zod';
import { PerfError } from '../errors.js';

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
    const notes = [
      fallback !== undefined && typeof fallback !== 'boolean'
        ? `default: ${JSON.stringify(fallback)}`
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
        `${flagName(spec)} ${JSON.stringify(value)}: ${parsed.error.issues[0]?.message}`,
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

/** Flag values arrive as text; these schemas accept text and check the range. */
export const flag = {
  int: (min: number, max: number, fallback: number) => wholeNumber(min, max).default(fallback),
  /** A whole number that may be left out (undefined). */
  optionalInt: (min: number, max: number) => wholeNumber(min, max).optional(),
  number: (min: number, max: number, fallback: number) => anyNumber(min, max).default(fallback),
  optionalNumber: (min: number, max: number) => anyNumber(min, max).optional(),
  bool: (fallback: boolean) => z.boolean().default(fallback),
};
