import { bench, group } from 'fiml-perf/bench';
import { parseQuery, tokenize } from '../../fiml/dsl/index.js';

const QUERIES = {
  simple: 'GET PRICE OF AAPL',
  analyze: 'ANALYZE AAPL FOR TECHNICALS',
  compare: 'COMPARE AAPL, TSLA BY PRICE, VOLUME',
  find: 'FIND AAPL WITH PRICE > 100',
  track: 'TRACK AAPL WHEN PRICE > 150',
};

group('dsl', () => {
  for (const [kind, query] of Object.entries(QUERIES))
    bench(`parse ${kind} query`, () => parseQuery(query));
  // parseQuery keeps no state between calls: "initialisation" is the lexer's work on a query.
  bench('parser initialisation (tokenize)', () => tokenize(QUERIES.compare));
  bench('parse multiple queries (5)', () => Object.values(QUERIES).map((q) => parseQuery(q)));
});
