import { describe, expect, it } from 'vitest';
import { isPlannable, statementVerb } from '../../src/database/statement-kind.js';

describe('which statements may be explained', () => {
  it.each([
    'SELECT * FROM bars WHERE asset_id = $1',
    'select 1',
    'WITH x AS (SELECT 1) SELECT * FROM x',
    'INSERT INTO bars VALUES ($1)',
    'UPDATE bars SET price = $1 WHERE id = $2',
    'DELETE FROM bars WHERE id = $1',
    'VALUES ($1)',
    'TABLE bars',
    '(SELECT 1) UNION (SELECT 2)',
    '/* app: api */ SELECT 1',
    '/* nested /* comment */ still */ SELECT 1',
    '-- a line comment\nSELECT 1',
  ])('a query: %s', (query) => {
    expect(isPlannable(query)).toBe(true);
  });

  it.each([
    ['CREATE INDEX ON bars (a)', 'CREATE'],
    ['ALTER TABLE bars ADD x int', 'ALTER'],
    ['DROP TABLE bars', 'DROP'],
    ['VACUUM bars', 'VACUUM'],
    ['COPY bars FROM STDIN', 'COPY'],
    ['SET search_path = $1', 'SET'],
    ['BEGIN', 'BEGIN'],
    ['  commit', 'COMMIT'],
    ['EXPLAIN ANALYZE SELECT 1', 'EXPLAIN'],
    ['PREPARE p AS SELECT 1', 'PREPARE'],
    ['EXECUTE p', 'EXECUTE'],
    ['/* SELECT */ TRUNCATE bars', 'TRUNCATE'],
    ['', ''],
    ['/* only a comment', ''],
  ])('a utility command, never explained: %s', (query, verb) => {
    expect(statementVerb(query)).toBe(verb);
    expect(isPlannable(query)).toBe(false);
  });
});
