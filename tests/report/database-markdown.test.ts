import { describe, expect, it } from 'vitest';
import type { DatabaseSection, StatementWindow } from '../../src/database/index.js';
import { runMarkdown } from '../../src/report/index.js';
import { runWithDatabase } from '../fixtures/database/run.js';
import { HISTORY_DDL, WITH_STATEMENTS } from '../fixtures/database/with-statements.js';
import { STATEMENTS_NOTE, WITHOUT_STATEMENTS } from '../fixtures/database/without-statements.js';

/** summary.md's "## Database" section (issue 27), from the hand-written database fixtures. */
const markdown = (database: DatabaseSection | undefined) => runMarkdown(runWithDatabase(database));

/** The section alone: from its heading to the next `## `. */
const section = (text: string) => {
  const start = text.indexOf('## Database');
  expect(start, 'a Database section').toBeGreaterThanOrEqual(0);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end === -1 ? undefined : end);
};

const HISTORY = WITH_STATEMENTS.statements[0] as StatementWindow;

describe('summary.md: the database', () => {
  it('has no Database section for a run without a database', () => {
    expect(markdown(undefined)).not.toContain('## Database');
  });

  it('states the source, the redacted URL and the buffer cache hit ratio', () => {
    const text = section(markdown(WITH_STATEMENTS));
    expect(text).toContain(
      "FIML's own database: `postgres://fiml:***@127.0.0.1:41523/fiml`, PostgreSQL 15.10",
    );
    expect(text).toContain('- Buffer cache hit ratio 99.88% (1,640,211 blocks hit, 1,962 read)');
  });

  it('lists the top five statements shortened, with calls, total, mean and share', () => {
    const many: DatabaseSection = {
      ...WITH_STATEMENTS,
      statements: [
        ...WITH_STATEMENTS.statements,
        { ...HISTORY, query: 'SELECT 6', queryId: '6', totalMs: 0.1, share: 0 },
      ],
    };
    const rows = section(markdown(many))
      .split('\n')
      .filter((l) => l.startsWith('| `'));
    // Five statement rows, the sixth left to the HTML report; table rows are the tables' too.
    const statements = rows.filter((l) => !l.includes('public.'));
    expect(statements).toHaveLength(5);
    expect(statements[0]).toBe(
      '| `SELECT to_char(time AT TIME ZONE $4, $5) AS day, open, high, low, close, volume…` | 412 | 19,776 | 48 | 98.46% |',
    );
    expect(section(markdown(many))).toContain('(5 of 6)');
  });

  it('lists the tables scanned sequentially, the large one in bold', () => {
    const text = section(markdown(WITH_STATEMENTS));
    expect(text).toContain('| **`public.market_bars`** | 412 | 159,888,960 | 0 | 388,080 |');
    expect(text).toContain('| `public.assets` | 1 | 40 | 0 | 40 |');
  });

  it('gives each index suggestion its reason and its DDL in a code block', () => {
    const text = section(markdown(WITH_STATEMENTS));
    expect(text).toContain('### Index suggestions');
    expect(text).toContain(
      '- `public.market_bars` (asset_id, timeframe): Seq Scan on public.market_bars',
    );
    expect(text).toContain(['```sql', HISTORY_DDL, '```'].join('\n'));
  });

  it('without pg_stat_statements, gives the note instead of the statements; the rest stays', () => {
    const text = section(markdown(WITHOUT_STATEMENTS));
    expect(text).toContain(`- Statements not available: ${STATEMENTS_NOTE}`);
    expect(text).not.toContain('| Statement |');
    expect(text).toContain('- Buffer cache hit ratio 96.15%');
    expect(text).toContain('| **`public.orders`** | 1,210 | 60,500,000 | 20 | 50,605 |');
  });

  it('keeps a statement with pipes and backticks in its cell and its code span', () => {
    const odd: DatabaseSection = {
      ...WITH_STATEMENTS,
      statements: [{ ...HISTORY, query: "SELECT a || '`' FROM t" }],
    };
    expect(section(markdown(odd))).toContain("| ``SELECT a \\|\\| '`' FROM t`` |");
  });
});
