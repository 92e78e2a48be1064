import { bench, group } from 'fiml-perf';
import { parseQuery } from '../../fiml/dsl/index.js';

group('dsl', () => {
  bench('parse simple query', () => parseQuery('GET PRICE OF AAPL'));
});
