/**
 * Target expressions: `p99 < 500ms`, `endpoint["[Price] Simple Query"].p95 < 50ms`,
 * `error_rate < 1%`, `rps > 1000`, `cache_hit_rate > 80%`, `provider["yahoo"].uptime > 99%`.
 *
 *   target  := metric op value
 *   metric  := NAME ( '[' STRING ']' )? ( '.' NAME )?
 *   op      := '<' | '<=' | '>' | '>='
 *   value   := NUMBER unit?        unit := 'us' | 'ms' | 's' | '%' | '/s'
 */

/** What kind of figure a metric is, which decides the units its threshold takes. */
export type FigureKind = 'latency' | 'rate' | 'count' | 'throughput';

export type Comparator = '<' | '<=' | '>' | '>=';

/** A figure of the whole run or of one endpoint or provider. */
export type MetricRef =
  | { readonly scope: 'run'; readonly figure: string }
  | { readonly scope: 'endpoint'; readonly name: string; readonly figure: string }
  | { readonly scope: 'provider'; readonly name: string; readonly figure: 'uptime' }
  | { readonly scope: 'db'; readonly figure: string };

export interface TargetExpression {
  readonly source: string;
  readonly metric: MetricRef;
  readonly kind: FigureKind;
  readonly op: Comparator;
  /** In the figure's base unit: ms for latency, a fraction for rates, per second, a count. */
  readonly threshold: number;
  /** The threshold as written, for tables. */
  readonly thresholdText: string;
}

/**
 * The most of a target an error quotes: a longer one is cut around the column it points at, so
 * a 260 KB expression is not echoed whole (issue 25).
 */
const MAX_QUOTED = 80;
/** The most of a name or token an error quotes. */
const MAX_QUOTED_NAME = 40;

/** `text` cut to `max` characters, with … where it was cut. */
export function clip(text: string, max = MAX_QUOTED_NAME): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** `text` in quotes; a longer one cut to `max` characters (…), with its whole length. */
export function quoted(text: string, max = MAX_QUOTED_NAME): string {
  return text.length <= max ? `'${text}'` : `'${clip(text, max)}' (${text.length} characters)`;
}

/** `source` in quotes; a long one cut to the stretch around `column` (1-based), with its length. */
function excerpt(source: string, column: number): string {
  if (source.length <= MAX_QUOTED) return `'${source}'`;
  const start = Math.max(0, Math.min(column - 1 - MAX_QUOTED / 2, source.length - MAX_QUOTED));
  const end = start + MAX_QUOTED;
  return `'${start > 0 ? '…' : ''}${source.slice(start, end)}${end < source.length ? '…' : ''}' (${source.length} characters)`;
}

/** A target that does not parse: where, what was expected, what was found. */
export class TargetSyntaxError extends Error {
  override name = 'TargetSyntaxError';
  constructor(
    readonly source: string,
    /** 1-based column. */
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${excerpt(source, column)} at column ${column}: ${detail}`);
  }
}

/** Figures of a run or an endpoint. */
const CLIENT_FIGURES: Record<string, FigureKind> = {
  avg: 'latency',
  mean: 'latency',
  min: 'latency',
  max: 'latency',
  median: 'latency',
  error_rate: 'rate',
  rps: 'throughput',
  requests: 'count',
  failures: 'count',
};
/** Figures only of the whole run: from the service's metrics and the health probes. */
const SERVICE_FIGURES: Record<string, FigureKind> = {
  cache_hit_rate: 'rate',
  task_completion_rate: 'rate',
  provider_uptime: 'rate',
  uptime: 'rate',
};

/**
 * Figures of the database watched over the run (issue 27): `db.cache_hit_rate > 99%`,
 * `db.max_statement_mean < 50ms`. pg_stat_statements keeps a mean per statement, not
 * percentiles, so the worst statement's mean is the latency a target can name.
 */
export const DB_FIGURES: Record<string, FigureKind> = {
  cache_hit_rate: 'rate',
  max_statement_mean: 'latency',
  large_seq_scans: 'count',
  deadlocks: 'count',
  temp_files: 'count',
};
const DB_FIGURE_LIST = Object.keys(DB_FIGURES).join(', ');

/** p50, p95, p99, p999 (99.9), p9999 (99.99), p75 ...: the percentile it names, or null. */
export function percentileOf(figure: string): number | null {
  const match = /^p(\d{2,})$/.exec(figure);
  if (!match) return null;
  const digits = match[1] as string;
  if (digits.length > 2 && !digits.startsWith('99')) return null;
  const value = Number(`${digits.slice(0, 2)}.${digits.slice(2) || '0'}`);
  return value > 0 && value < 100 ? value : null;
}

function clientKind(figure: string): FigureKind | undefined {
  return CLIENT_FIGURES[figure] ?? (percentileOf(figure) !== null ? 'latency' : undefined);
}

const FIGURE_LIST = 'avg, min, max, p50, p90, p95, p99, p999, error_rate, rps, requests, failures';

type Token =
  | { type: 'name'; text: string; at: number }
  | { type: 'string'; text: string; at: number }
  | { type: 'number'; text: string; value: number; at: number }
  | { type: 'op'; text: Comparator; at: number }
  | { type: 'punct'; text: '[' | ']' | '.' | '%' | '/'; at: number }
  | { type: 'end'; text: ''; at: number };

function describe(token: Token): string {
  return token.type === 'end' ? 'the end' : quoted(token.text);
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (at: number, detail: string): never => {
    throw new TargetSyntaxError(source, at + 1, detail);
  };
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < source.length && /[A-Za-z0-9_]/.test(source[i] as string)) i++;
      tokens.push({ type: 'name', text: source.slice(start, i), at: start });
    } else if (/[0-9.]/.test(c) && !(c === '.' && !/[0-9]/.test(source[i + 1] ?? ''))) {
      const start = i;
      while (i < source.length && /[0-9._]/.test(source[i] as string)) i++;
      if (/[eE]/.test(source[i] ?? '') && /[-+0-9]/.test(source[i + 1] ?? '')) {
        i += 2;
        while (i < source.length && /[0-9]/.test(source[i] as string)) i++;
      }
      const text = source.slice(start, i);
      const value = Number(text.replaceAll('_', ''));
      if (!Number.isFinite(value)) fail(start, `expected a number, found '${text}'`);
      tokens.push({ type: 'number', text, value, at: start });
    } else if (c === '"' || c === "'") {
      const start = i;
      i++;
      let text = '';
      while (i < source.length && source[i] !== c) {
        if (source[i] === '\\' && i + 1 < source.length) i++;
        text += source[i];
        i++;
      }
      if (i >= source.length) fail(start, `unterminated string: add the closing ${c}`);
      i++;
      tokens.push({ type: 'string', text, at: start });
    } else if (c === '<' || c === '>') {
      const op = source[i + 1] === '=' ? (`${c}=` as Comparator) : (c as Comparator);
      tokens.push({ type: 'op', text: op, at: i });
      i += op.length;
    } else if (c === '[' || c === ']' || c === '.' || c === '%' || c === '/') {
      tokens.push({ type: 'punct', text: c, at: i });
      i++;
    } else if (c === '=' || c === '!') {
      fail(i, `expected one of <, <=, >, >=, found '${source.slice(i, i + 2).trim()}'`);
    } else {
      fail(i, `unexpected '${c}'`);
    }
  }
  tokens.push({ type: 'end', text: '', at: source.length });
  return tokens;
}

/** Parses one target expression. @throws TargetSyntaxError */
export function parseTarget(source: string): TargetExpression {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos] as Token;
  const next = () => tokens[pos++] as Token;
  const fail = (token: Token, expected: string): never => {
    throw new TargetSyntaxError(
      source,
      token.at + 1,
      `expected ${expected}, found ${describe(token)}`,
    );
  };

  // metric
  const head = next();
  if (head.type !== 'name') fail(head, 'a figure such as p99, avg, error_rate or rps');
  let metric: MetricRef;
  let kind: FigureKind;
  if (head.text === 'db' && peek().type === 'punct' && peek().text === '.') {
    next();
    const figure = next();
    const found = figure.type === 'name' ? DB_FIGURES[figure.text] : undefined;
    if (found === undefined) fail(figure, `a database figure (${DB_FIGURE_LIST})`);
    metric = { scope: 'db', figure: figure.text };
    kind = found as FigureKind;
  } else if (peek().type === 'punct' && peek().text === '[') {
    next();
    const name = next();
    if (name.type !== 'string') fail(name, `a quoted name, as in ${head.text}["name"]`);
    const close = next();
    if (close.type !== 'punct' || close.text !== ']') fail(close, "']'");
    if (head.text === 'endpoint') {
      const dot = next();
      if (dot.type !== 'punct' || dot.text !== '.') fail(dot, `'.' and a figure (${FIGURE_LIST})`);
      const figure = next();
      const found = figure.type === 'name' ? clientKind(figure.text) : undefined;
      if (found === undefined) fail(figure, `an endpoint figure (${FIGURE_LIST})`);
      metric = { scope: 'endpoint', name: name.text, figure: figure.text };
      kind = found as FigureKind;
    } else if (head.text === 'provider' || head.text === 'provider_uptime') {
      if (head.text === 'provider') {
        const dot = next();
        const figure = next();
        if (dot.type !== 'punct' || dot.text !== '.' || figure.text !== 'uptime')
          fail(dot.text === '.' ? figure : dot, "'.uptime'");
      }
      metric = { scope: 'provider', name: name.text.toLowerCase(), figure: 'uptime' };
      kind = 'rate';
    } else {
      throw new TargetSyntaxError(
        source,
        head.at + 1,
        `${quoted(`${head.text}[...]`)} is not a figure; use endpoint["name"].p95 or provider["name"].uptime`,
      );
    }
  } else {
    const found = clientKind(head.text) ?? SERVICE_FIGURES[head.text];
    if (found === undefined)
      throw new TargetSyntaxError(
        source,
        head.at + 1,
        `unknown figure ${quoted(head.text)}; one of ${FIGURE_LIST}, cache_hit_rate, task_completion_rate, uptime, provider_uptime, endpoint["name"].FIGURE, provider["name"].uptime, db.FIGURE`,
      );
    metric = { scope: 'run', figure: head.text };
    kind = found;
  }

  // comparator
  const opToken = next();
  if (opToken.type !== 'op') fail(opToken, 'one of <, <=, >, >=');
  const op = opToken.text as Comparator;

  // value and unit
  const number = next();
  if (number.type !== 'number') fail(number, 'a number');
  const value = (number as Extract<Token, { type: 'number' }>).value;
  let unit = '';
  const u = peek();
  if (u.type === 'name' || (u.type === 'punct' && (u.text === '%' || u.text === '/'))) {
    next();
    unit = u.text;
    if (unit === '/') {
      const s = next();
      if (s.type !== 'name' || s.text !== 's') fail(s, "'s' (as in 1000/s)");
      unit = '/s';
    }
  }
  const end = next();
  if (end.type !== 'end') fail(end, 'the end of the target');
  // A missing unit is pointed at the number, a wrong one at itself.
  const unitAt = (unit === '' ? number.at : u.at) + 1;
  const threshold = convert(source, kind, value, unit, unitAt, metric);
  return {
    source: source.trim(),
    metric,
    kind,
    op,
    threshold,
    thresholdText: `${op} ${number.text}${unit === '/s' ? '/s' : unit}`,
  };
}

function convert(
  source: string,
  kind: FigureKind,
  value: number,
  unit: string,
  column: number,
  metric: MetricRef,
): number {
  const figure = metric.figure;
  const fail = (detail: string): never => {
    throw new TargetSyntaxError(source, column, detail);
  };
  switch (kind) {
    case 'latency': {
      const scale: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
      if (!(unit in scale))
        fail(
          unit === ''
            ? `${figure} is a latency: give its unit, as in 500ms or 0.5s`
            : `${figure} is a latency: expected us, ms or s, found ${quoted(unit)}`,
        );
      return value * (scale[unit] as number);
    }
    case 'rate':
      if (unit === '%') {
        if (value > 100) fail(`${figure} is a share: at most 100%`);
        return value / 100;
      }
      if (unit !== '')
        fail(`${figure} is a share: write it as a percentage (99%) or a fraction (0.99)`);
      if (value > 1) fail(`${figure} is a share: write ${value}% or ${value / 100}, not ${value}`);
      return value;
    case 'throughput':
      if (unit !== '' && unit !== '/s') fail(`${figure} is per second: write 1000 or 1000/s`);
      return value;
    case 'count':
      if (unit !== '') fail(`${figure} is a count: no unit`);
      return value;
  }
}

/** Whether a figure meets the target. */
export function meets(op: Comparator, actual: number, threshold: number): boolean {
  switch (op) {
    case '<':
      return actual < threshold;
    case '<=':
      return actual <= threshold;
    case '>':
      return actual > threshold;
    case '>=':
      return actual >= threshold;
  }
}

/** Shows a figure in the unit a target of its kind is written in. */
export function formatFigure(kind: FigureKind, value: number): string {
  switch (kind) {
    case 'latency':
      return value >= 1000
        ? `${(value / 1000).toFixed(2)}s`
        : `${Number(value.toFixed(value < 10 ? 2 : 1))}ms`;
    case 'rate':
      return `${Number((value * 100).toFixed(value > 0.999 || value < 0.001 ? 3 : 2))}%`;
    case 'throughput':
      return `${Number(value.toFixed(1))}/s`;
    case 'count':
      return String(Math.round(value));
  }
}
