/**
 * An error group keeps its distinct messages with their counts, bounded over the table, so
 * `_failures.csv` has a row per distinct message as Locust's does and a storm of distinct
 * messages stays small (issue 26, item 4).
 */
import { describe, expect, it } from 'vitest';
import { failuresCsv } from '../../src/report/index.js';
import { ErrorTable, MAX_ERROR_MESSAGES } from '../../src/stats/index.js';
import { parseCsv } from '../helpers/csv.js';
import { makeResult } from '../report/fixtures.js';

const check = (message: string) => ({ kind: 'check' as const, message });

describe('ErrorTable messages', () => {
  it('keeps each distinct message of a group with its count, largest first', () => {
    const table = new ErrorTable();
    for (const n of [1, 2, 2, 3, 3, 3]) table.add('GET', '/uuid', check(`uuid starts with ${n}`));
    const [group] = table.list();
    expect(group).toMatchObject({ count: 6, message: 'uuid starts with 1' });
    expect(group!.messages).toEqual([
      { message: 'uuid starts with 3', count: 3 },
      { message: 'uuid starts with 2', count: 2 },
      { message: 'uuid starts with 1', count: 1 },
    ]);
    expect(group!.otherMessages).toBeUndefined();
  });

  it("counts messages past its bound as the group's other messages; a new group keeps its first", () => {
    const table = new ErrorTable(500, 3);
    for (let i = 0; i < 10; i++) table.add('GET', '/a', check(`id ${i}`));
    table.add('GET', '/a', check('id 0'));
    table.add('POST', '/b', check('first of b'));
    table.add('POST', '/b', check('second of b'));
    const byName = new Map(table.list().map((g) => [g.name, g]));
    expect(byName.get('/a')).toMatchObject({ count: 11, otherMessages: 7 });
    expect(byName.get('/a')!.messages).toEqual([
      { message: 'id 0', count: 2 },
      { message: 'id 1', count: 1 },
      { message: 'id 2', count: 1 },
    ]);
    expect(byName.get('/b')).toMatchObject({
      count: 2,
      messages: [{ message: 'first of b', count: 1 }],
      otherMessages: 1,
    });
  });

  it("merges a worker's groups message by message, within its own bound", () => {
    const worker = new ErrorTable(500, 2);
    for (const m of ['x', 'y', 'z', 'x']) worker.add('GET', '/a', check(m));
    const main = new ErrorTable(500, 2);
    main.add('GET', '/a', check('w'));
    for (const group of worker.list()) main.addGroup(group);
    const [group] = main.list();
    expect(group).toMatchObject({ count: 5, otherMessages: 2 });
    expect(group!.messages).toEqual([
      { message: 'x', count: 2 },
      { message: 'w', count: 1 },
    ]);
  });

  it('keeps at most MAX_ERROR_MESSAGES messages by default', () => {
    const table = new ErrorTable();
    for (let i = 0; i < MAX_ERROR_MESSAGES + 50; i++) table.add('GET', '/a', check(`id ${i}`));
    const [group] = table.list();
    expect(group!.messages).toHaveLength(MAX_ERROR_MESSAGES);
    expect(group!.otherMessages).toBe(50);
  });
});

describe('_failures.csv', () => {
  it('writes a row per distinct message and one for the messages past the bound', () => {
    const table = new ErrorTable(500, 2);
    for (const m of ['a', 'b', 'c', 'd', 'a']) table.add('GET', '/x', check(m));
    table.add('TASK', 'WebUser', { kind: 'exception', message: 'boom' });
    const rows = parseCsv(failuresCsv(makeResult({ endpoints: [], errors: table.list() })));
    expect(rows).toEqual([
      ['Method', 'Name', 'Error', 'Occurrences'],
      ['GET', '/x', 'check: a', '2'],
      ['GET', '/x', 'check: b', '1'],
      [
        'GET',
        '/x',
        `check: (other messages: the run kept its first ${MAX_ERROR_MESSAGES} distinct ones)`,
        '2',
      ],
    ]);
  });
});
