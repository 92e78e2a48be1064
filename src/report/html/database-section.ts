import type {
  DatabaseSection,
  IndexSuggestion,
  PlanNode,
  StatementWindow,
  TableWindow,
} from '../../database/index.js';
import { databaseSource, isLargeSequentialTable, shortQuery } from '../analysis/index.js';
import { ms, num, pct, td, th } from './cells.js';
import { esc } from './escape.js';

/** Characters of a statement shown in its row; the rest is in its expanded row. */
const QUERY_CHARS = 110;

const bytes = (n: number): string =>
  n >= 1024 ** 3
    ? `${num(n / 1024 ** 3, 1)} GB`
    : n >= 1024 ** 2
      ? `${num(n / 1024 ** 2, 1)} MB`
      : n >= 1024
        ? `${num(n / 1024)} kB`
        : `${num(n)} B`;

const ratio = (x: number | null) => (x === null ? 'n/a' : pct(x));

/** Costs as EXPLAIN prints them: two decimals. */
const cost = (n: number) => num(n, 2);

/** A node's name as EXPLAIN's text format writes it: `Seq Scan on market_bars`. */
function nodeLabel(node: PlanNode): string {
  const using = node.index ? ` using <code>${esc(node.index)}</code>` : '';
  const on = node.relation ? ` on <code>${esc(node.relation)}</code>` : '';
  return `<span class="node-type">${esc(node.nodeType)}</span>${using}${on}`;
}

/**
 * The plan's costliest node: the one the statement names (`costliest`), else the one with the
 * highest self cost.
 */
function costliestNode(statement: StatementWindow, plan: PlanNode): PlanNode | undefined {
  const nodes: PlanNode[] = [];
  const walk = (n: PlanNode) => {
    nodes.push(n);
    for (const child of n.children) walk(child);
  };
  walk(plan);
  const named = statement.costliest;
  if (named) {
    const match = nodes.find(
      (n) =>
        n.nodeType === named.nodeType &&
        // The statement names the table with its schema (`public.market_bars`).
        (n.relation === named.relation ||
          (n.schema !== null && `${n.schema}.${n.relation}` === named.relation)) &&
        n.selfCost === named.selfCost,
    );
    if (match) return match;
  }
  return nodes.reduce<PlanNode | undefined>(
    (top, n) => (top === undefined || n.selfCost > top.selfCost ? n : top),
    undefined,
  );
}

/** The plan as a nested list: each node, its own cost and share, and its conditions. */
function planTree(statement: StatementWindow, plan: PlanNode): string {
  const total = plan.totalCost > 0 ? plan.totalCost : 1;
  const top = costliestNode(statement, plan);
  const item = (node: PlanNode): string => {
    const conditions: Array<[string, string]> = [];
    if (node.indexCond) conditions.push(['Index Cond', node.indexCond]);
    if (node.filter) conditions.push(['Filter', node.filter]);
    if (node.sortKey?.length) conditions.push(['Sort Key', node.sortKey.join(', ')]);
    const costliest = node === top;
    return `<li><div class="plan-node${costliest ? ' costliest' : ''}">${nodeLabel(node)}${costliest ? ' <span class="tag">costliest</span>' : ''}<span class="plan-cost">self cost ${cost(node.selfCost)} (${pct(node.selfCost / total, 1)} of the plan) · total ${cost(node.totalCost)} · ${num(node.planRows)} rows estimated</span>${conditions.map(([k, v]) => `<div class="plan-cond"><span class="k">${esc(k)}:</span> <code>${esc(v)}</code></div>`).join('')}</div>${node.children.length ? `<ul>${node.children.map(item).join('')}</ul>` : ''}</li>`;
  };
  return `<ul class="plan-tree">${item(plan)}</ul>`;
}

function statementDetail(statement: StatementWindow): string {
  const plan = statement.plan
    ? `<h4>Plan <span class="note">(EXPLAIN of the generic plan, the one for any parameter values; never run; costs in PostgreSQL's units)</span></h4>${planTree(statement, statement.plan)}`
    : statement.planError
      ? `<p class="note">Not explained: ${esc(statement.planError)}.</p>`
      : '<p class="note">Not explained: only the slowest statements are.</p>';
  const suggested = statement.suggestions.length
    ? `<p class="note">Index suggested for this statement: see Index suggestions below.</p>`
    : '';
  return `<h4>Statement <span class="note">(query id ${esc(statement.queryId)}; slowest call ${ms(statement.maxMs)} ms since the server's statistics were reset)</span></h4><pre class="sql">${esc(statement.query)}</pre>${plan}${suggested}`;
}

function statementsTable(database: DatabaseSection, id: string): string {
  if (!database.statementsAvailable)
    return `<p class="db-note" role="note"><strong>No statements:</strong> ${esc(database.statementsNote ?? 'pg_stat_statements is not available in this database')}</p>`;
  if (database.statements.length === 0)
    return '<p class="empty">No statement ran in the window.</p>';
  const rows = database.statements.map((s, i) => {
    const detail = `${id}-db-s${i}`;
    const tags = [
      s.costliest
        ? `<span class="tag">${esc(s.costliest.nodeType)}${s.costliest.relation ? ` on ${esc(s.costliest.relation)}` : ''}: ${pct(s.costliest.share, 0)} of the plan</span>`
        : '',
      s.suggestions.length ? '<span class="tag warn">index suggested</span>' : '',
    ].join('');
    const share = `<span class="meter" style="width:${Math.round(Math.min(Math.max(s.share, 0), 1) * 60)}px"></span> ${pct(s.share, 1)}`;
    return `<tr class="db-statement" data-detail="${detail}"><td class="l"><button type="button" class="expand" aria-expanded="true" aria-controls="${detail}" aria-label="plan of statement ${i + 1}"></button></td><td class="name"><code class="query" title="${esc(s.query)}">${esc(shortQuery(s.query, QUERY_CHARS))}</code>${tags ? `<div class="tags">${tags}</div>` : ''}</td>${td(num(s.calls), s.calls)}${td(ms(s.totalMs), s.totalMs)}${td(ms(s.meanMs), s.meanMs)}${td(num(s.rows), s.rows)}${td(share, s.share, 'share')}${td(ratio(s.hitRatio), s.hitRatio ?? '')}</tr>
<tr class="db-detail" id="${detail}"><td></td><td colspan="7">${statementDetail(s)}</td></tr>`;
  });
  return `<table class="db-statements" id="${id}-db-statements"><caption>The top statements by total time in the window (${num(database.statementCalls)} calls and ${ms(database.statementTotalMs)} ms in all); click a row for its full text and its plan. Times in ms.</caption>
<thead><tr>${th('', false, 'l')}${th('Statement', false, 'l')}${th('Calls', false)}${th('Total ms', false)}${th('Mean ms', false)}${th('Rows', false)}${th('Share of time', false)}${th('Hit ratio', false)}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function tablesTable(tables: readonly TableWindow[], id: string): string {
  if (tables.length === 0) return '<p class="empty">No table was read in the window.</p>';
  const rows = tables.map((t) => {
    const large = isLargeSequentialTable(t);
    return `<tr${large ? ' class="hot"' : ''}><td class="name"><code>${esc(t.table)}</code>${large ? ' <span class="tag warn">sequential scans of a large table</span>' : ''}</td>${td(num(t.seqScans), t.seqScans)}${td(num(t.seqRowsRead), t.seqRowsRead)}${td(num(t.indexScans), t.indexScans)}${td(num(t.liveRows), t.liveRows)}</tr>`;
  });
  return `<table class="sortable" id="${id}-db-tables"><caption>Tables by rows read in sequential scans during the window; live rows at its end.</caption>
<thead><tr>${th('Table', true, 'l')}${th('Seq scans', true)}${th('Seq rows read', true)}${th('Index scans', true)}${th('Live rows', true)}</tr></thead>
<tbody>${rows.join('')}</tbody></table>`;
}

function suggestionsBlock(database: DatabaseSection): string {
  if (database.suggestions.length === 0)
    return database.statementsAvailable
      ? '<p class="empty">None: no plan read a large table sequentially on a filter no index serves.</p>'
      : '<p class="empty">None: suggestions come from the statements\' plans, which need pg_stat_statements.</p>';
  const one = (s: IndexSuggestion) =>
    `<div class="suggestion"><p><code>${esc(s.table)}</code> (${s.columns.map((c) => esc(c)).join(', ')}): ${esc(s.reason)}</p><pre class="ddl" data-copy><code>${esc(s.ddl)}</code></pre></div>`;
  return database.suggestions.map(one).join('');
}

/** The run's database over its window: header, cache and activity, statements, scans, indexes. */
export function databaseSection(database: DatabaseSection | undefined, id: string): string {
  if (!database) return '';
  const source = databaseSource(database);
  const connections = Object.entries(database.connections)
    .map(([state, n]) => `${num(n)} ${state}`)
    .join(', ');
  const tiles: Array<[string, string]> = [
    ['buffer cache hit ratio', ratio(database.cache.hitRatio)],
    ['blocks read', num(database.cache.blocksRead)],
    ['commits', num(database.commits)],
    ['rollbacks', num(database.rollbacks)],
    ['deadlocks', num(database.deadlocks)],
    ['temp files', `${num(database.tempFiles)} (${bytes(database.tempBytes)})`],
  ];
  const problems = database.problems.length
    ? `<h3>Problems while reading</h3><ul class="note">${database.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>`
    : '';
  return `<section aria-labelledby="${id}-database" class="database"><h2 id="${id}-database">Database</h2>
<p class="sub">${esc(source.charAt(0).toUpperCase() + source.slice(1))}: <code>${esc(database.url)}</code>, PostgreSQL ${esc(database.serverVersion)}, database <code>${esc(database.database)}</code>; the differences of its statistics over the run's ${num(database.windowS, database.windowS % 1 ? 1 : 0)}s window${connections ? `; connections at its end: ${esc(connections)}` : ''}.</p>
<div class="tiles">${tiles.map(([k, v]) => `<div class="tile"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div></div>`).join('')}</div>
<h3>Top statements</h3>
${statementsTable(database, id)}
<h3>Scans by table</h3>
${tablesTable(database.tables, id)}
<h3>Index suggestions</h3>
${suggestionsBlock(database)}
${problems}</section>`;
}
