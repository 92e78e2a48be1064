export type {
  AnalyzeFocus,
  Comparator,
  Condition,
  Expr,
  Holding,
  IndicatorName,
  MetricRef,
  Query,
  QueryType,
} from './ast.js';
export { METRICS } from './ast.js';
export { DslExecutor } from './executor.js';
export type { Token, TokenKind } from './lexer.js';
export { DslSyntaxError, tokenize } from './lexer.js';
export { parseQuery } from './parser.js';
