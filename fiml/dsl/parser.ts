import {
  type AnalyzeFocus,
  type Comparator,
  type Condition,
  type Expr,
  type Holding,
  type IndicatorName,
  METRICS,
  type MetricRef,
  type Query,
} from './ast.js';
import { DslSyntaxError, type Token, tokenize } from './lexer.js';

/** Words that separate or qualify, never symbols. */
const RESERVED = new Set([
  'OF',
  'FOR',
  'IN',
  'WITH',
  'VS',
  'AND',
  'OR',
  'BY',
  'ON',
  'PERIOD',
  'WHERE',
  'WHEN',
  'BETWEEN',
]);

const INDICATORS: Readonly<Record<string, IndicatorName>> = {
  RSI: 'rsi',
  SMA: 'sma',
  EMA: 'ema',
  MACD: 'macd',
  VOLATILITY: 'volatility',
};

const FOCUS: Readonly<Record<string, AnalyzeFocus>> = {
  TECHNICALS: 'technicals',
  TECHNICAL: 'technicals',
  FUNDAMENTALS: 'fundamentals',
  SENTIMENT: 'sentiment',
};

const KNOWN_METRICS = new Set<string>(METRICS);

function show(token: Token): string {
  if (token.kind === 'eof') return 'end of query';
  if (token.kind === 'number') return `number ${token.value}`;
  return `'${token.value}'`;
}

const quote = (words: readonly string[]) => words.map((w) => `'${w}'`);

/** A recursive-descent parser over one query's tokens. */
class Parser {
  readonly #tokens: Token[];
  #index = 0;

  constructor(input: string) {
    this.#tokens = tokenize(input);
  }

  parse(): Query {
    const query = this.#query();
    this.#expectEnd();
    return query;
  }

  #query(): Query {
    const verbs = ['GET', 'COMPARE', 'ANALYZE', 'CALCULATE', 'FIND', 'TRACK', 'EVALUATE', 'SCAN'];
    const verb = this.#keyword(...verbs);
    switch (verb) {
      case 'GET':
        return this.#get();
      case 'COMPARE':
        return this.#compare();
      case 'ANALYZE':
        return this.#analyze();
      case 'CALCULATE': {
        const indicator = this.#indicatorName();
        this.#keyword('FOR');
        const symbol = this.#symbol();
        return { type: 'indicator', indicator, symbol, period: this.#period() };
      }
      case 'FIND': {
        const symbols = this.#symbolList();
        this.#keyword('WITH', 'WHERE');
        return { type: 'find', symbols, condition: this.#condition() };
      }
      case 'TRACK': {
        const symbol = this.#symbol();
        this.#keyword('WHEN');
        return { type: 'track', symbol, condition: this.#condition() };
      }
      case 'EVALUATE': {
        const symbol = this.#symbol();
        this.#punct(':');
        return { type: 'evaluate', symbol, metrics: this.#metricList() };
      }
      default: {
        const universe = this.#word('an exchange (NASDAQ, NYSE, CRYPTO, FX or ALL)');
        this.#keyword('WHERE');
        return { type: 'scan', universe, condition: this.#condition() };
      }
    }
  }

  #get(): Query {
    const what = this.#keyword('PRICE', 'TECHNICAL', 'MOVING', ...Object.keys(INDICATORS));
    if (what === 'PRICE') {
      this.#keyword('OF', 'FOR');
      const symbols = this.#symbolList();
      const currency = this.#accept('IN') ? this.#word('a currency') : null;
      return { type: 'get_price', symbols, currency };
    }
    if (what === 'TECHNICAL') {
      this.#keyword('INDICATORS');
      this.#keyword('FOR');
      return { type: 'technicals', symbol: this.#symbol() };
    }
    let indicator: IndicatorName;
    if (what === 'MOVING') {
      this.#keyword('AVERAGE');
      indicator = 'sma';
    } else {
      indicator = INDICATORS[what]!;
    }
    this.#keyword('FOR');
    const symbol = this.#symbol();
    return { type: 'indicator', indicator, symbol, period: this.#period() };
  }

  #compare(): Query {
    const symbols = [this.#symbol()];
    do {
      if (!this.#acceptPunct(',')) this.#keyword(',', 'WITH', 'VS', 'AND');
      symbols.push(this.#symbol());
    } while (this.#peekPunct(',') || this.#peekWord('WITH', 'VS', 'AND'));
    let metrics: MetricRef[] = [{ name: 'PRICE', args: [] }];
    if (this.#accept('BY')) {
      metrics = this.#metricList();
    } else if (this.#accept('ON')) {
      this.#acceptPunct(':');
      metrics = this.#metricList();
    }
    return { type: 'compare', symbols, metrics };
  }

  #analyze(): Query {
    if (this.#accept('PORTFOLIO')) {
      this.#punct('[');
      const holdings: Holding[] = [];
      do {
        const symbol = this.#symbol();
        this.#punct(':');
        const weight = this.#number('a weight');
        holdings.push({
          symbol,
          weight: weight.unit === '%' ? weight.number / 100 : weight.number,
        });
      } while (this.#acceptPunct(','));
      this.#punct(']');
      return { type: 'portfolio', holdings };
    }
    if (this.#accept('CORRELATION')) {
      this.#keyword('BETWEEN');
      const a = this.#symbol();
      this.#keyword('AND', 'WITH');
      const b = this.#symbol();
      return { type: 'correlation', symbols: [a, b], period: this.#period() };
    }
    const symbol = this.#symbol();
    this.#keyword('FOR');
    const focus = this.#keyword(...Object.keys(FOCUS));
    return { type: 'analyze', symbol, focus: FOCUS[focus]! };
  }

  #indicatorName(): IndicatorName {
    const name = this.#keyword(...Object.keys(INDICATORS), 'MOVING');
    if (name === 'MOVING') {
      this.#keyword('AVERAGE');
      return 'sma';
    }
    return INDICATORS[name]!;
  }

  #period(): number | null {
    if (!this.#accept('PERIOD')) return null;
    const token = this.#number('a period in days');
    if (!Number.isInteger(token.number) || token.number < 1 || token.number > 365) {
      throw new DslSyntaxError(
        token.position,
        ['a whole number of days from 1 to 365'],
        show(token),
      );
    }
    return token.number;
  }

  #symbolList(): string[] {
    const symbols = [this.#symbol()];
    while (this.#acceptPunct(',')) symbols.push(this.#symbol());
    return symbols;
  }

  #symbol(): string {
    const token = this.#peek();
    if (token.kind !== 'word' || RESERVED.has(token.value)) {
      throw new DslSyntaxError(token.position, ['a symbol'], show(token));
    }
    this.#index++;
    return token.value;
  }

  #metricList(): MetricRef[] {
    const metrics = [this.#metric()];
    while (this.#acceptPunct(',')) metrics.push(this.#metric());
    return metrics;
  }

  #metric(): MetricRef {
    const token = this.#peek();
    if (token.kind !== 'word' || !KNOWN_METRICS.has(token.value)) {
      throw new DslSyntaxError(token.position, ['a metric (PRICE, VOLUME, RSI, ...)'], show(token));
    }
    this.#index++;
    const args: (number | string)[] = [];
    if (this.#acceptPunct('(')) {
      do {
        const arg = this.#peek();
        if (arg.kind === 'number') args.push(arg.number);
        else if (arg.kind === 'word' && KNOWN_METRICS.has(arg.value)) args.push(arg.value);
        else throw new DslSyntaxError(arg.position, ['a number or a metric name'], show(arg));
        this.#index++;
      } while (this.#acceptPunct(','));
      this.#punct(')');
    }
    return { name: token.value, args };
  }

  #condition(): Condition {
    let left = this.#conjunction();
    while (this.#accept('OR')) left = { kind: 'or', left, right: this.#conjunction() };
    return left;
  }

  #conjunction(): Condition {
    let left = this.#comparison();
    while (this.#accept('AND')) left = { kind: 'and', left, right: this.#comparison() };
    return left;
  }

  #comparison(): Condition {
    const left = this.#expr();
    const token = this.#peek();
    if (token.kind !== 'op') {
      throw new DslSyntaxError(
        token.position,
        quote(['>', '<', '>=', '<=', '=', '!=']),
        show(token),
      );
    }
    this.#index++;
    return { kind: 'compare', op: token.value as Comparator, left, right: this.#expr() };
  }

  #expr(): Expr {
    let left = this.#term();
    for (;;) {
      const op = this.#peek();
      if (op.kind !== 'punct' || (op.value !== '+' && op.value !== '-')) return left;
      this.#index++;
      left = { kind: 'binary', op: op.value, left, right: this.#term() };
    }
  }

  #term(): Expr {
    let left = this.#factor();
    for (;;) {
      const op = this.#peek();
      if (op.kind !== 'punct' || (op.value !== '*' && op.value !== '/')) return left;
      this.#index++;
      left = { kind: 'binary', op: op.value, left, right: this.#factor() };
    }
  }

  #factor(): Expr {
    const token = this.#peek();
    if (token.kind === 'number') {
      this.#index++;
      return { kind: 'number', value: token.unit === '%' ? token.number / 100 : token.number };
    }
    if (this.#acceptPunct('-')) return { kind: 'negate', operand: this.#factor() };
    if (this.#acceptPunct('(')) {
      const inner = this.#expr();
      this.#punct(')');
      return inner;
    }
    if (token.kind === 'word' && KNOWN_METRICS.has(token.value)) {
      return { kind: 'metric', metric: this.#metric() };
    }
    throw new DslSyntaxError(token.position, ['a number, a metric or ('], show(token));
  }

  #peek(): Token {
    return this.#tokens[this.#index]!;
  }

  #peekWord(...words: string[]): boolean {
    const t = this.#peek();
    return t.kind === 'word' && words.includes(t.value);
  }

  #peekPunct(p: string): boolean {
    const t = this.#peek();
    return t.kind === 'punct' && t.value === p;
  }

  #accept(word: string): boolean {
    if (!this.#peekWord(word)) return false;
    this.#index++;
    return true;
  }

  #acceptPunct(p: string): boolean {
    if (!this.#peekPunct(p)) return false;
    this.#index++;
    return true;
  }

  /** Consumes one of the keywords and returns it. */
  #keyword(...words: string[]): string {
    const token = this.#peek();
    if (token.kind === 'word' && words.includes(token.value)) {
      this.#index++;
      return token.value;
    }
    if (token.kind === 'punct' && words.includes(token.value)) {
      this.#index++;
      return token.value;
    }
    throw new DslSyntaxError(token.position, quote(words), show(token));
  }

  #word(what: string): string {
    const token = this.#peek();
    if (token.kind !== 'word') throw new DslSyntaxError(token.position, [what], show(token));
    this.#index++;
    return token.value;
  }

  #number(what: string): Token {
    const token = this.#peek();
    if (token.kind !== 'number') throw new DslSyntaxError(token.position, [what], show(token));
    this.#index++;
    return token;
  }

  #punct(p: string): void {
    if (!this.#acceptPunct(p)) {
      const token = this.#peek();
      throw new DslSyntaxError(token.position, [`'${p}'`], show(token));
    }
  }

  #expectEnd(): void {
    const token = this.#peek();
    if (token.kind !== 'eof')
      throw new DslSyntaxError(token.position, ['end of query'], show(token));
  }
}

/** Parses one FK-DSL query. @throws DslSyntaxError with the position and what was expected */
export function parseQuery(input: string): Query {
  return new Parser(input).parse();
}
