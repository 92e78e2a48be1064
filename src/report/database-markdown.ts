import type { DatabaseSection } from '../database/index.js';
import { databaseSource, isLargeSequentialTable, shortQuery } from './analysis/index.js';

/** Statements listed in Markdown: a PR comment stays short; the HTML report has the rest. */
const TOP_STATEMENTS = 5;
/** Tables listed, those read most sequentially first. */
const TOP_TABLES = 10;

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const msText = (x: number) =>
  x >= 100 ? n(x) : x >= 10 ? Number(x.toFixed(1)).toString() : Number(x.toFixed(2)).toString();
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);
const cell = (text: string) => text.replaceAll('|', '\\|').replace(/\s+/g, ' ');

/** Text as a code span, whatever backticks it holds (CommonMark: a longer run of them fences it). */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced block that nothing in the text can close. */
function block(text: string, language: string): string[] {
  const longest = Math.max(0, ...(text.match(/`{3,}/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${language}`, text, fence];
}

/**
 * summary.md's "Database" section (issue 27): where the figures come from, the buffer cache, the
 * top statements, the tables read sequentially, the index suggestions with their DDL; the note
 * when pg_stat_statements is not there.
 */
export function databaseMarkdown(database: DatabaseSection): string[] {
  const source = databaseSource(database);
  const lines: string[] = ['## Database', ''];
  lines.push(
    `${source.charAt(0).toUpperCase()}${source.slice(1)}: ${code(database.url)}, PostgreSQL ${database.serverVersion}, over the run's ${database.windowS}s window.`,
    '',
    `- Buffer cache hit ratio ${pct(database.cache.hitRatio)} (${n(database.cache.blocksHit)} blocks hit, ${n(database.cache.blocksRead)} read)`,
    `- Commits ${n(database.commits)}, rollbacks ${n(database.rollbacks)}, deadlocks ${n(database.deadlocks)}, temp files ${n(database.tempFiles)}`,
  );
  if (!database.statementsAvailable)
    lines.push(
      `- Statements not available: ${database.statementsNote ?? 'pg_stat_statements is not installed in this database'}`,
      '',
    );
  else if (database.statements.length === 0) lines.push('- No statement ran in the window', '');
  else {
    lines.push(
      `- Statements: ${n(database.statementCalls)} calls, ${msText(database.statementTotalMs)} ms in all`,
      '',
      `Top statements by total time${database.statements.length > TOP_STATEMENTS ? ` (${TOP_STATEMENTS} of ${database.statements.length})` : ''}:`,
      '',
      '| Statement | Calls | Total ms | Mean ms | Share |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...database.statements
        .slice(0, TOP_STATEMENTS)
        .map(
          (s) =>
            `| ${cell(code(shortQuery(s.query)))} | ${n(s.calls)} | ${msText(s.totalMs)} | ${msText(s.meanMs)} | ${pct(s.share)} |`,
        ),
      '',
    );
  }
  const scanned = database.tables.filter((t) => t.seqScans > 0).slice(0, TOP_TABLES);
  if (scanned.length === 0) lines.push('No table was read by a sequential scan.', '');
  else
    lines.push(
      'Tables scanned sequentially (**bold**: a large table scanned again and again, where an index matters):',
      '',
      '| Table | Seq scans | Seq rows read | Index scans | Live rows |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...scanned.map((t) => {
        const name = cell(code(t.table));
        return `| ${isLargeSequentialTable(t) ? `**${name}**` : name} | ${n(t.seqScans)} | ${n(t.seqRowsRead)} | ${n(t.indexScans)} | ${n(t.liveRows)} |`;
      }),
      '',
    );
  if (database.suggestions.length > 0) {
    lines.push('### Index suggestions', '');
    for (const s of database.suggestions)
      lines.push(
        `- ${code(s.table)} (${s.columns.join(', ')}): ${s.reason.replace(/\s+/g, ' ')}`,
        '',
        ...block(s.ddl, 'sql'),
        '',
      );
  }
  if (database.problems.length > 0)
    lines.push('Problems while reading:', '', ...database.problems.map((p) => `- ${p}`), '');
  return lines;
}
