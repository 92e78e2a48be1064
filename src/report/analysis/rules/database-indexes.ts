import type { AnalysisContext } from '../context.js';
import { databaseSource, shortQuery, statementsSuggesting } from '../database-facts.js';
import { count, evidence, ms, pct } from '../format.js';
import { THRESHOLDS } from '../thresholds.js';
import type { Finding } from '../types.js';

/**
 * An index the database's plans ask for (issue 27): for each suggestion, the statement whose plan
 * read the table sequentially, its share of the database's statement time, the scan, and the
 * DDL to run. Quiet without a database section or without suggestions.
 */
export function databaseIndexes(context: AnalysisContext): Finding[] {
  const database = context.result.database;
  if (!database) return [];
  return database.suggestions.map((suggestion): Finding => {
    const [statement, ...others] = statementsSuggesting(database, suggestion);
    const table = database.tables.find((t) => t.table === suggestion.table);
    const scan = table
      ? ` During the window ${suggestion.table} was read by ${count(table.seqScans)} sequential scans (${count(table.seqRowsRead)} rows, ${count(table.liveRows)} live) against ${count(table.indexScans)} index scans.`
      : '';
    const share = statement ? statement.share : null;
    const plan = statement?.costliest
      ? ` Its plan spends ${pct(statement.costliest.share)} of its cost in ${statement.costliest.nodeType}${statement.costliest.relation ? ` on ${statement.costliest.relation}` : ''}.`
      : '';
    const what = statement
      ? `The statement \`${shortQuery(statement.query)}\` took ${pct(statement.share)} of ${databaseSource(database)}'s statement time (${count(statement.calls)} calls, mean ${ms(statement.meanMs)}).${plan}`
      : `A plan read ${suggestion.table} sequentially.`;
    return {
      id: 'database-index',
      // A sequential scan that is most of the database's time is what a load test is for finding.
      severity: share !== null && share >= THRESHOLDS.dbStatementDominance ? 'warning' : 'info',
      title: `Index missing on ${suggestion.table} (${suggestion.columns.join(', ')})${share === null ? '' : `: its statement is ${pct(share)} of the database's time`}`,
      detail: `${what}${scan} ${suggestion.reason}.${others.length ? ` ${others.length} other statement(s) would use it too.` : ''} Run: ${suggestion.ddl}`,
      evidence: [
        evidence.text('table', suggestion.table),
        evidence.text('columns', suggestion.columns.join(', ')),
        ...(statement
          ? [
              evidence.text('statement', shortQuery(statement.query, 60)),
              evidence.share("share of the database's statement time", statement.share),
              evidence.ms('statement mean', statement.meanMs),
              evidence.count('statement calls', statement.calls),
            ]
          : []),
        ...(table
          ? [
              evidence.count('sequential scans', table.seqScans),
              evidence.count('rows read sequentially', table.seqRowsRead),
            ]
          : []),
        evidence.text('DDL', suggestion.ddl),
      ],
      recommendation: [
        `Create the index (CONCURRENTLY does not block writes): ${suggestion.ddl}`,
        'Check its plan then uses it: EXPLAIN the statement again, expecting an Index Scan',
        'Run the same load again and compare: `fiml-perf compare BEFORE.json AFTER.json`',
        "If the index exists under another name, check it is valid and its columns come in the filter's order (\\d+ in psql)",
      ],
      action: {
        text: `Create the index on ${suggestion.table} (${suggestion.columns.join(', ')})`,
        command: suggestion.ddl,
        doc: 'docs/database.md',
      },
    };
  });
}
