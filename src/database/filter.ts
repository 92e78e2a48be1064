/**
 * Reads a scan's `Filter` as PostgreSQL prints it (`(bars.asset_id = $1)`,
 * `((asset_id = $1) AND ("time" > $2))`) into the comparisons an index could serve. Conservative
 * on purpose: anything not understood (an OR, a function of a column, a cast that changes the
 * type, a column of another table) makes the whole filter unreadable, so no index is ever
 * suggested from a half-read condition.
 */

/** A column compared with a parameter or a constant. */
export interface Comparison {
  /** The column's name, unquoted. */
  readonly column: string;
  /** The column as PostgreSQL prints it, quoted when it must be (`"time"`): ready for DDL. */
  readonly printed: string;
  readonly kind: 'equality' | 'range' | 'other';
}

const IDENT = '(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)';
const COLUMN = new RegExp(String.raw`^(?:(${IDENT})\.)?(${IDENT})$`);
/** A text-like column compared as text: `((b.name)::text = $1)` (varchar is text underneath). */
const TEXT_CAST_COLUMN = new RegExp(String.raw`^\((?:(${IDENT})\.)?(${IDENT})\)::text$`);
const TYPE = String.raw`::[A-Za-z_][A-Za-z0-9_ ."]*(?:\[\])?`;
const VALUES = [
  /^\$\d+$/, // a parameter (or an InitPlan's output)
  new RegExp(String.raw`^\(\$\d+\)${TYPE}$`),
  new RegExp(String.raw`^\$\d+${TYPE}$`),
  new RegExp(`^'(?:[^']|'')*'${TYPE}$`), // a constant: 'S1'::text
  /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i, // a number
  new RegExp(String.raw`^\(-?\d+(?:\.\d+)?\)${TYPE}$`),
];

const OPERATORS = ['= ANY', '<>', '<=', '>=', '=', '<', '>'] as const;
type Operator = (typeof OPERATORS)[number];
const MIRROR: Record<Operator, Operator> = {
  '= ANY': '= ANY',
  '<>': '<>',
  '<=': '>=',
  '>=': '<=',
  '=': '=',
  '<': '>',
  '>': '<',
};

/**
 * Walks `text` outside quotes ('...' strings, "..." identifiers), calling `visit` with each
 * position and the parenthesis depth there; stops when `visit` returns true. Returns false when
 * the quotes or parentheses do not balance.
 */
function scan(text: string, visit: (index: number, depth: number) => boolean | undefined): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      if (close === -1) return false;
      i = close;
      continue;
    }
    if (visit(i, depth)) return true;
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** `(x)` -> `x` when the first parenthesis closes at the end; otherwise the text as it is. */
function unwrap(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('(')) return trimmed;
  let closesAt = -1;
  scan(trimmed, (index, depth) => {
    if (trimmed[index] === ')' && depth === 1) {
      closesAt = index;
      return true;
    }
    return false;
  });
  return closesAt === trimmed.length - 1 ? trimmed.slice(1, -1).trim() : trimmed;
}

/** The parts of `text` between top-level occurrences of `separator`, or null if unbalanced. */
function splitTopLevel(text: string, separator: string): string[] | null {
  const parts: string[] = [];
  let start = 0;
  const balanced = scan(text, (index, depth) => {
    if (depth === 0 && text.startsWith(separator, index)) {
      parts.push(text.slice(start, index));
      start = index + separator.length;
    }
    return false;
  });
  if (!balanced) return null;
  parts.push(text.slice(start));
  return parts.map((part) => part.trim());
}

const unquote = (ident: string) =>
  ident.startsWith('"') ? ident.slice(1, -1).replace(/""/g, '"') : ident;

/** The column of an operand, if it is one of this scan's (`names` are its alias and table). */
function columnOf(
  operand: string,
  names: readonly string[],
): { column: string; printed: string } | null {
  const match = COLUMN.exec(operand) ?? TEXT_CAST_COLUMN.exec(operand);
  if (!match) return null;
  const [, qualifier, ident] = match;
  if (qualifier !== undefined && !names.includes(unquote(qualifier))) return null;
  return { column: unquote(ident!), printed: ident! };
}

const isValue = (operand: string) => VALUES.some((pattern) => pattern.test(operand));

/** One `column OP value` (either way round), or null. */
function comparison(text: string, names: readonly string[]): Comparison | null {
  const body = unwrap(text);
  for (const operator of OPERATORS) {
    const sides = splitTopLevel(body, ` ${operator} `);
    if (sides?.length !== 2) continue;
    let [left, right] = sides as [string, string];
    let op: Operator = operator;
    if (operator === '= ANY') {
      // `col = ANY ($1)`, `col = ANY ('{1,2}'::integer[])`: an IN list, served as equality.
      right = unwrap(right);
    } else if (!columnOf(left, names) && columnOf(right, names)) {
      [left, right] = [right, left];
      op = MIRROR[operator];
    }
    const column = columnOf(left, names);
    if (!column || !isValue(right)) return null;
    const kind = op === '=' || op === '= ANY' ? 'equality' : op === '<>' ? 'other' : 'range';
    return { ...column, kind };
  }
  return null;
}

/**
 * The comparisons of a scan's filter when it is one comparison or an AND of them, each a column
 * of this scan (unqualified, or qualified by `alias` or `relation`) against a parameter or a
 * constant; null for anything else.
 */
export function parseFilter(
  filter: string,
  alias: string | null,
  relation: string | null,
): Comparison[] | null {
  const names = [alias, relation].filter((name): name is string => name !== null);
  const body = unwrap(filter);
  const conjuncts = splitTopLevel(body, ' AND ');
  if (!conjuncts) return null;
  if (conjuncts.some((part) => splitTopLevel(part, ' OR ')?.length !== 1)) return null;
  const found: Comparison[] = [];
  for (const conjunct of conjuncts) {
    const parsed = comparison(conjunct, names);
    if (!parsed) return null;
    found.push(parsed);
  }
  return found;
}

/** A sort key (`bars."time" DESC`) of this scan's columns, as DDL writes it; null otherwise. */
export function parseSortKey(
  key: string,
  alias: string | null,
  relation: string | null,
): { column: string; printed: string } | null {
  const names = [alias, relation].filter((name): name is string => name !== null);
  const match = /^(.*?)((?: (?:ASC|DESC))?(?: NULLS (?:FIRST|LAST))?)$/.exec(key.trim());
  if (!match) return null;
  const column = columnOf(match[1]!, names);
  if (!column || match[1]!.includes('::')) return null;
  return { column: column.column, printed: column.printed + match[2]! };
}
