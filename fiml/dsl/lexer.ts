export type TokenKind = 'word' | 'number' | 'punct' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Upper-cased for words (keywords and symbols are case-insensitive), as written otherwise. */
  readonly value: string;
  /** The number's value, for number tokens. */
  readonly number: number;
  /** A unit written right after a number: `30d` has unit `D`, `5%` has unit `%`. */
  readonly unit: string;
  /** Offset of the token's first character in the query (0-based). */
  readonly position: number;
}

/** A query that does not follow the grammar; says where and what was expected. */
export class DslSyntaxError extends Error {
  constructor(
    readonly position: number,
    readonly expected: readonly string[],
    readonly found: string,
  ) {
    const what = expected.length === 0 ? '' : ` expected ${describe(expected)},`;
    super(`syntax error at position ${position}:${what} found ${found}`);
    this.name = 'DslSyntaxError';
  }
}

function describe(expected: readonly string[]): string {
  if (expected.length === 1) return expected[0]!;
  return `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1]}`;
}

const PUNCT = new Set([',', ':', '[', ']', '(', ')', '*', '/', '+', '-']);

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isWordStart(c: string): boolean {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c === '_';
}

function isWordPart(c: string): boolean {
  return isWordStart(c) || isDigit(c) || c === '.';
}

/** Splits a query into tokens. @throws DslSyntaxError on a character the language has no use for */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, value: string, position: number, number = 0, unit = '') =>
    tokens.push({ kind, value, number, unit, position });
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (isDigit(c) || (c === '.' && isDigit(input[i + 1] ?? ''))) {
      const start = i;
      while (i < input.length && isDigit(input[i]!)) i++;
      if (input[i] === '.' && isDigit(input[i + 1] ?? '')) {
        i++;
        while (i < input.length && isDigit(input[i]!)) i++;
      }
      const text = input.slice(start, i);
      let unit = '';
      if (input[i] === '%') {
        unit = '%';
        i++;
      } else if (isWordStart(input[i] ?? '')) {
        const unitStart = i;
        while (i < input.length && isWordStart(input[i]!)) i++;
        unit = input.slice(unitStart, i).toUpperCase();
      }
      push('number', text + unit.toLowerCase(), start, Number(text), unit);
    } else if (isWordStart(c)) {
      const start = i;
      while (i < input.length && isWordPart(input[i]!)) i++;
      push('word', input.slice(start, i).toUpperCase(), start);
    } else if (c === '>' || c === '<' || c === '!' || c === '=') {
      const two = input.slice(i, i + 2);
      if (two === '>=' || two === '<=' || two === '!=' || two === '==') {
        push('op', two === '==' ? '=' : two, i);
        i += 2;
      } else if (c === '!') {
        throw new DslSyntaxError(i, ["'!='"], `'!'`);
      } else {
        push('op', c, i);
        i++;
      }
    } else if (PUNCT.has(c)) {
      push('punct', c, i);
      i++;
    } else {
      throw new DslSyntaxError(i, [], `unexpected character '${c}'`);
    }
  }
  push('eof', '', input.length);
  return tokens;
}
