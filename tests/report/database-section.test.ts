import { describe, expect, it } from 'vitest';
import type { DatabaseSection, StatementWindow } from '../../src/database/index.js';
import { buildRunReport } from '../../src/report/html/build.js';
import { runWithDatabase } from '../fixtures/database/run.js';
import { HISTORY_DDL, WITH_STATEMENTS } from '../fixtures/database/with-statements.js';
import { STATEMENTS_NOTE, WITHOUT_STATEMENTS } from '../fixtures/database/without-statements.js';

/**
 * The HTML report's Database section as markup (issue 27); tests/report/database-page.int.test.ts
 * opens it in Chromium.
 */
const page = (database: DatabaseSection | undefined) =>
  buildRunReport(runWithDatabase(database)).html;

/** The section's markup alone. */
const section = (html: string) => {
  const start = html.indexOf('<section aria-labelledby="run0-database"');
  expect(start, 'a Database section').toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
};

const HISTORY = WITH_STATEMENTS.statements[0] as StatementWindow;
const HOSTILE = '<img src=x onerror="alert(1)">';

describe('the HTML Database section', () => {
  it('is absent, with no table of contents entry, for a run without a database', () => {
    const html = page(undefined);
    expect(html).not.toContain('run0-database');
  });

  it("marks the plan's costliest node, and only it", () => {
    const html = section(page(WITH_STATEMENTS));
    const costliest = [
      ...html.matchAll(/<div class="plan-node costliest">(.*?)<span class="plan-cost">/g),
    ];
    // Three plans in the fixture, one costliest node each.
    expect(costliest.map((m) => m[1])).toEqual([
      '<span class="node-type">Seq Scan</span> on <code>market_bars</code> <span class="tag">costliest</span>',
      '<span class="node-type">Index Scan</span> using <code>cache_entries_pkey</code> on <code>cache_entries</code> <span class="tag">costliest</span>',
      '<span class="node-type">ModifyTable</span> on <code>cache_entries</code> <span class="tag">costliest</span>',
    ]);
  });

  it('gives the suggestion its DDL in a block to copy', () => {
    expect(section(page(WITH_STATEMENTS))).toContain(
      `<pre class="ddl" data-copy><code>${HISTORY_DDL}</code></pre>`,
    );
  });

  it('highlights the large table scanned sequentially, not the small ones', () => {
    const rows = section(page(WITH_STATEMENTS)).match(
      /<tr[^>]*><td class="name"><code>public\.[a-z_]+/g,
    );
    expect(rows).toEqual([
      '<tr class="hot"><td class="name"><code>public.market_bars',
      '<tr><td class="name"><code>public.cache_entries',
      '<tr><td class="name"><code>public.assets',
    ]);
  });

  it('without pg_stat_statements, shows the note where the statements were; tables and cache stay', () => {
    const html = section(page(WITHOUT_STATEMENTS));
    expect(html).toContain(`<strong>No statements:</strong> ${STATEMENTS_NOTE}`);
    expect(html).not.toContain('db-statements');
    expect(html).toContain(
      '<div class="v">96.15%</div><div class="k">buffer cache hit ratio</div>',
    );
    expect(html).toContain('<code>public.orders</code>');
  });

  it("shows a statement's, a table's and a plan's text as text", () => {
    const hostile: DatabaseSection = {
      ...WITH_STATEMENTS,
      url: HOSTILE,
      statements: [
        {
          ...HISTORY,
          query: HOSTILE,
          plan: { ...(HISTORY.plan as NonNullable<StatementWindow['plan']>), filter: HOSTILE },
        },
      ],
      tables: [
        { ...(WITH_STATEMENTS.tables[0] as DatabaseSection['tables'][number]), table: HOSTILE },
      ],
      suggestions: [{ table: HOSTILE, columns: [HOSTILE], ddl: HOSTILE, reason: HOSTILE }],
    };
    const html = section(page(hostile));
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
  });
});
