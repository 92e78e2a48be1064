import type { StatementWindow } from '../../../database/index.js';
import type { AnalysisContext } from '../context.js';
import { databaseSource, shortQuery } from '../database-facts.js';
import { count, evidence, ms, pct } from '../format.js';
import { THRESHOLDS } from '../thresholds.js';
import type { Finding } from '../types.js';

type Endpoint = AnalysisContext['endpoints'][number];

/**
 * Whether a statement can be said to be most of an endpoint's time, conservatively: the
 * database is the service's own (FIML's: its statements are its requests'), the statement's mean
 * is at least `THRESHOLDS.dbEndpointShare` of the endpoint's mean and no more than all of it (a
 * request cannot wait on a statement longer than it took), and it ran at least once for every
 * other request (`THRESHOLDS.dbCallsPerRequest`).
 */
function explains(statement: StatementWindow, endpoint: Endpoint): boolean {
  const mean = endpoint.latencyMs.mean;
  return (
    mean > 0 &&
    statement.meanMs >= THRESHOLDS.dbEndpointShare * mean &&
    statement.meanMs <= mean &&
    statement.calls >= THRESHOLDS.dbCallsPerRequest * endpoint.requests
  );
}

/**
 * Where the database's time went (issue 27). On FIML's own database, an endpoint whose mean
 * latency is mostly one statement (and only one endpoint fits it) is named with it; otherwise a
 * statement that is most of the database's time is named without claiming an endpoint, unless an
 * index suggestion already names it (database-indexes.ts).
 */
export function databaseStatements(context: AnalysisContext): Finding[] {
  const database = context.result.database;
  if (!database?.statementsAvailable || database.statements.length === 0) return [];
  const findings: Finding[] = [];
  const claimed = new Set<StatementWindow>();
  if (database.source === 'fiml')
    for (const statement of database.statements) {
      const fits = context.endpoints.filter((e) => explains(statement, e));
      // Two endpoints that could each be waiting on it: which one did is not in the figures.
      if (fits.length !== 1) continue;
      const endpoint = fits[0] as Endpoint;
      const share = statement.meanMs / endpoint.latencyMs.mean;
      claimed.add(statement);
      findings.push({
        id: 'database-endpoint-statement',
        severity: context.latencyProblem ? 'warning' : 'info',
        title: `${endpoint.key} spends most of its time in one statement (${ms(statement.meanMs)} of its ${ms(endpoint.latencyMs.mean)} mean)`,
        detail: `The statement \`${shortQuery(statement.query)}\` took ${ms(statement.meanMs)} on average over ${count(statement.calls)} calls, ${pct(share)} of ${endpoint.key}'s mean latency (${count(endpoint.requests)} requests), and ${pct(statement.share)} of ${databaseSource(database)}'s statement time. Making that statement faster makes the endpoint faster.${statement.costliest ? ` Its plan's costliest node is ${statement.costliest.nodeType}${statement.costliest.relation ? ` on ${statement.costliest.relation}` : ''} (${pct(statement.costliest.share)} of its cost).` : ''}`,
        evidence: [
          evidence.text('endpoint', endpoint.key),
          evidence.ms('endpoint mean', endpoint.latencyMs.mean),
          evidence.text('statement', shortQuery(statement.query, 60)),
          evidence.ms('statement mean', statement.meanMs),
          evidence.share("share of the endpoint's mean", share),
          evidence.count('statement calls', statement.calls),
          evidence.count('endpoint requests', endpoint.requests),
        ],
        recommendation: [
          statement.suggestions.length
            ? `Create the index its plan asks for: ${statement.suggestions.map((s) => s.ddl).join('; ')}`
            : 'Read its plan in the report (Database, click the statement): a sequential scan, a sort or a large row estimate is where the time goes',
          'Check whether the endpoint could answer from its cache instead (cache hit rate, TTLs)',
          `Give the endpoint a latency target so CI watches it: endpoint["${endpoint.name}"].p95 < ${Math.ceil(endpoint.latencyMs.p95)}ms`,
        ],
        action: {
          text: `Speed up the statement behind ${endpoint.key}`,
          doc: 'docs/database.md',
        },
      });
    }
  const top = database.statements[0] as StatementWindow;
  const clientMs = context.endpoints.reduce((sum, e) => sum + e.requests * e.latencyMs.mean, 0);
  const weighs =
    top.share >= THRESHOLDS.dbStatementDominance &&
    top.totalMs >= THRESHOLDS.dbStatementMinClientShare * clientMs;
  if (weighs && !claimed.has(top) && top.suggestions.length === 0)
    findings.push({
      id: 'database-top-statement',
      severity: 'info',
      title: `The database's slowest statement took ${pct(top.share)} of its time`,
      detail: `\`${shortQuery(top.query)}\` took ${ms(top.totalMs)} of the ${ms(database.statementTotalMs)} ${databaseSource(database)} spent in statements during the run (${count(top.calls)} calls, mean ${ms(top.meanMs)}). Which endpoints waited on it is not in these figures.`,
      evidence: [
        evidence.text('statement', shortQuery(top.query, 60)),
        evidence.share("share of the database's statement time", top.share),
        evidence.ms('statement total', top.totalMs),
        evidence.ms('statement mean', top.meanMs),
        evidence.count('statement calls', top.calls),
      ],
      recommendation: [
        'Read its plan in the report (Database, click the statement)',
        'Find the requests that run it in the service (its text, or pg_stat_activity during a run)',
      ],
      action: {
        text: "Look at the plan of the database's slowest statement",
        doc: 'docs/database.md',
      },
    });
  return findings;
}
