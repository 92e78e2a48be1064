import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PerfError } from '../errors.js';
import { packageFile } from '../util/package-file.js';
import {
  clip,
  parseTarget,
  quoted,
  type TargetExpression,
  TargetSyntaxError,
} from './expression.js';

/** A named target. */
export interface Target {
  readonly name: string;
  readonly expr: TargetExpression;
}

/** A targets file or flag that cannot be used: says which and how to fix it. */
export class TargetsError extends PerfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FP_ERR_TARGETS', message, options);
    this.name = 'TargetsError';
  }
}

const entry = z.union([
  z.string().min(1),
  z.object({ name: z.string().min(1).optional(), expr: z.string().min(1) }).strict(),
]);
const file = z.union([
  z.object({ targets: z.array(entry).min(1, 'lists no targets') }).strict(),
  z.array(entry).min(1, 'lists no targets'),
]);

/** Parses one expression into a target named after it. @throws TargetsError */
export function targetFromFlag(expr: string, name?: string): Target {
  try {
    return { name: name ?? expr.trim(), expr: parseTarget(expr) };
  } catch (error) {
    if (error instanceof TargetSyntaxError) throw new TargetsError(`target ${error.message}`);
    throw error;
  }
}

/** Reads a YAML or JSON targets file: `targets: [{name, expr}]` or a list of expressions. @throws TargetsError */
export function readTargetsFile(path: string): Target[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TargetsError(
      code === 'ENOENT'
        ? `targets file ${path} not found; pass a YAML or JSON file with --targets (see targets/standard.yaml)`
        : `cannot read targets file ${path}: ${(error as Error).message}`,
    );
  }
  let data: unknown;
  const json = extname(path).toLowerCase() === '.json';
  try {
    data = json ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new TargetsError(
      `targets file ${path} does not parse as ${json ? 'JSON' : 'YAML'}${parseProblem(error, text, json)}`,
    );
  }
  const parsed = file.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new TargetsError(
      `targets file ${path}${where}: ${issue?.message}; expected 'targets:' and a list of {name, expr} or expressions`,
    );
  }
  const list = Array.isArray(parsed.data) ? parsed.data : parsed.data.targets;
  const targets = list.map((item, i) => {
    const expr = typeof item === 'string' ? item : item.expr;
    const name = typeof item === 'string' ? undefined : item.name;
    try {
      return { name: name ?? expr.trim(), expr: parseTarget(expr) };
    } catch (error) {
      if (error instanceof TargetSyntaxError)
        throw new TargetsError(`targets file ${path}, target ${i + 1}: ${error.message}`);
      throw error;
    }
  });
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.name))
      throw new TargetsError(`targets file ${path} names ${quoted(t.name)} twice`);
    seen.add(t.name);
  }
  return targets;
}

/**
 * Where and why a file did not parse, quoting none of it: a file that does not parse is not a
 * targets file, and may be anything (issue 25: the UI echoed a line of /etc/redis/redis.conf).
 * YAML's messages quote the text they stopped at, and JSON's an unexpected token with the text
 * around it; both are cut there, and the place is given as a line and column instead.
 */
function parseProblem(error: unknown, text: string, json: boolean): string {
  const { message, linePos } = error as {
    message: string;
    linePos?: [{ line: number; col: number }];
  };
  const first = message.split('\n')[0] ?? '';
  let reason: string;
  let at = linePos?.[0];
  if (json) {
    reason = first.startsWith('Unexpected token') ? 'Unexpected token' : first;
    const offset = /\s+in JSON at position (\d+)/.exec(reason);
    if (offset) {
      const before = text.slice(0, Number(offset[1])).split('\n');
      at = { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
      reason = reason.slice(0, offset.index);
    }
  } else reason = (first.split(/\s+at line \d|["']/)[0] ?? '').replace(/[\s:]+$/, '');
  return `${reason ? `: ${reason}` : ''}${at ? ` (line ${at.line}, column ${at.col})` : ''}`;
}

/** Keeps the targets whose name or expression contains one of `only` (any case). @throws TargetsError */
export function selectTargets(targets: readonly Target[], only: readonly string[]): Target[] {
  if (only.length === 0) return [...targets];
  const picked = targets.filter((t) =>
    only.some((o) => `${t.name}\n${t.expr.source}`.toLowerCase().includes(o.toLowerCase())),
  );
  if (picked.length === 0)
    throw new TargetsError(
      `--only ${only.map((o) => clip(o)).join(', ')} matches no target; the targets are: ${targets.map((t) => clip(t.name)).join(', ')}`,
    );
  return picked;
}

/** The six standard targets (targets/standard.yaml), from source or from dist. */
export function standardTargetsFile(): string {
  const path = packageFile('targets/standard.yaml');
  if (path) return path;
  throw new TargetsError(
    'the bundled targets/standard.yaml is missing; reinstall fiml-perf or pass --targets',
  );
}
