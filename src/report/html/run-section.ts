import type { EndpointResult, ErrorGroup } from '../../stats/index.js';
import {
  parseTarget,
  type ServiceReport,
  type TargetOutcome,
  type TargetsReport,
} from '../../targets/index.js';
import { remedy } from '../analysis/remedy.js';
import { ms, num, pct, td, th } from './cells.js';
import { databaseSection } from './database-section.js';
import { esc } from './escape.js';
import { type ProfileSummary, profileSection } from './profile-section.js';
import { endpointKey, type ReportResult, type ReportRun, type RunAnalysis } from './report-run.js';
import { stressSection } from './stress.js';

/** The verdict banner: pass, fail, invalid (saturated generator), or no targets. */
function banner(result: ReportResult): string {
  const targets = result.targets?.outcomes.length ? result.targets : undefined;
  const stress = result.stress;
  if (result.generator.saturated)
    return `<div class="banner invalid" role="status"><strong>&#9888; Invalid run</strong><span>The load generator was saturated (${esc(result.generator.reasons.join('; '))}): the figures measure the generator, not the service. ${esc(remedy(result.generator.reasons))}</span></div>`;
  if (!targets && stress)
    return stress.verdict !== 'pass' && stress.verdict !== 'stable'
      ? `<div class="banner fail" role="status"><strong>&#10007; FAIL</strong><span>The ${esc(stress.kind)} test's verdict is ${esc(stress.verdict)} (see Stress).</span></div>`
      : `<div class="banner pass" role="status"><strong>&#10003; PASS</strong><span>The ${esc(stress.kind)} test's verdict is ${esc(stress.verdict)} (see Stress).</span></div>`;
  if (!targets)
    return '<div class="banner none" role="status"><strong>No targets judged</strong><span>Run with --targets (or use <code>fiml-perf run</code>) for a pass or fail verdict.</span></div>';
  const { pass, fail, unknown } = targets.summary;
  if (fail > 0)
    return `<div class="banner fail" role="status"><strong>&#10007; FAIL</strong><span>${fail} of ${pass + fail + unknown} targets failed${unknown ? `, ${unknown} unknown` : ''}${targets.abortedBy ? `; stopped early at ${targets.abortedBy.atSeconds}s by ${esc(targets.abortedBy.target)}` : ''}.</span></div>`;
  if (unknown > 0)
    return `<div class="banner invalid" role="status"><strong>? Unknown</strong><span>${pass} targets passed, ${unknown} could not be judged (see Targets).</span></div>`;
  return `<div class="banner pass" role="status"><strong>&#10003; PASS</strong><span>All ${pass} targets met.</span></div>`;
}

/** What the run was: model, load, duration, host, generator. */
function shape(result: ReportResult): string {
  const executor = (result.config as { executor?: Record<string, unknown> }).executor ?? {};
  const load =
    result.model === 'open'
      ? `${executor.rate ?? 'staged'} iterations/s (open model, up to ${executor.maxUsers ?? '?'} users)`
      : `${executor.users ?? 'staged'} users (closed model)`;
  const t = result.totals;
  const g = result.generator;
  const tiles: Array<[string, string]> = [
    ['requests', num(t.requests)],
    ['req/s', num(t.rps, 1)],
    ['failures', `${num(t.failures)} (${pct(t.failureRate)})`],
    ['p50', `${ms(t.latencyMs.p50)} ms`],
    ['p95', `${ms(t.latencyMs.p95)} ms`],
    ['p99', `${ms(t.latencyMs.p99)} ms`],
    ['max', `${ms(t.latencyMs.max)} ms`],
    ['duration', `${result.durationS}s`],
  ];
  return `<p class="sub">${esc(load)}, ${esc(result.executor)}, ${result.durationS}s against <code>${esc(result.target)}</code>; started ${esc(result.startedAt)}${result.interrupted ? `; <strong>stopped early</strong>${result.stopReason ? ` (${esc(result.stopReason)})` : ''}` : ''}${result.unknownAfterS === undefined ? '' : `; <strong>seen for its first ${num(result.unknownAfterS)}s only</strong>, unknown after (rates over the seconds seen)`}. Generator: ${g.workers} worker(s), CPU ${g.cpuPercent.mean}% mean (max ${g.cpuPercent.max}%), event-loop delay p99 ${g.eventLoopLagMs.p99} ms, max RSS ${g.maxRssMb} MB${g.scheduleLagMs ? `, schedule lag p99 ${g.scheduleLagMs.p99} ms${g.scheduleLagMs.iterations === undefined ? '' : ` of ${num(g.scheduleLagMs.iterations)} iterations`}, ${num(g.dropped)} dropped` : ''}.</p>
<div class="tiles">${tiles.map(([k, v]) => `<div class="tile"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div></div>`).join('')}</div>`;
}

function targetsSection(targets: TargetsReport | undefined, id: string): string {
  if (!targets || targets.outcomes.length === 0) return '';
  // The room left, relative to the threshold, both in the figure's base unit (the targets' own
  // parser reads the threshold: `< 0.5s` is 500 ms, `> 80%` is 0.8).
  const margin = (o: TargetOutcome) => {
    let expr: ReturnType<typeof parseTarget>;
    try {
      expr = parseTarget(o.expression);
    } catch {
      return { text: '-', value: '' };
    }
    if (o.value === null || expr.threshold === 0) return { text: '-', value: '' };
    const room = expr.op.startsWith('<')
      ? (expr.threshold - o.value) / expr.threshold
      : (o.value - expr.threshold) / expr.threshold;
    return { text: `${room >= 0 ? '+' : ''}${(room * 100).toFixed(1)}%`, value: room };
  };
  const rows = targets.outcomes.map((o) => {
    const m = margin(o);
    return `<tr><td class="l">${esc(o.name)}</td><td class="l"><code>${esc(o.expression)}</code></td><td>${esc(o.actual ?? 'n/a')}</td><td class="l"><span class="verdict-${o.verdict}">${o.verdict === 'pass' ? '&#10003; pass' : o.verdict === 'fail' ? '&#10007; FAIL' : '? unknown'}</span></td>${td(esc(m.text), m.value)}<td class="l">${esc(o.detail)}</td></tr>`;
  });
  return `<section aria-labelledby="${id}-targets"><h2 id="${id}-targets">Targets</h2>
<table><caption>Each target over the whole run${targets.windowSeconds ? ` and in every ${targets.windowSeconds}s window` : ''}; margin is the room left (negative: missed by).</caption>
<thead><tr>${th('Target', false, 'l')}${th('Expression', false, 'l')}${th('Actual', false)}${th('Verdict', false, 'l')}${th('Margin', false)}${th('Evidence', false, 'l')}</tr></thead>
<tbody>${rows.join('')}</tbody></table></section>`;
}

function analysisSummary(analysis: RunAnalysis, id: string): string {
  return `<section aria-labelledby="${id}-summary"><h2 id="${id}-summary">Executive summary</h2>${analysis.summary.map((s) => `<p>${esc(s)}</p>`).join('')}</section>`;
}

function chartsSection(result: ReportResult, analysis: RunAnalysis, id: string): string {
  const options = [
    '<option value="">all endpoints</option>',
    ...result.endpoints.map(
      (e) => `<option value="${esc(endpointKey(e))}">${esc(endpointKey(e))}</option>`,
    ),
  ];
  const perEndpoint = result.endpointSeries
    ? ''
    : '<p class="note">This result has no per-endpoint series (schema 1): the time charts show all endpoints; the distribution is per endpoint.</p>';
  const ranges = analysis.ranges;
  const total = ranges.reduce((s, r) => s + r.count, 0) || 1;
  const rangeColours = ['var(--c3)', 'var(--c2)', 'var(--c5)', 'var(--fail)', 'var(--c4)'];
  const rangeBar = ranges
    .map(
      (r, i) =>
        `<span style="flex:${r.count / total};${r.count === 0 ? 'min-width:0;' : ''}background:${rangeColours[i % rangeColours.length]}" title="${esc(r.label)}: ${num(r.count)}"></span>`,
    )
    .join('');
  const rangeRows = ranges
    .map(
      (r, i) =>
        `<tr><td class="l"><span class="legend-key" style="background:${rangeColours[i % rangeColours.length]}"></span>${esc(r.label)}</td><td>${num(r.count)}</td><td>${pct(r.share, 1)}</td></tr>`,
    )
    .join('');
  return `<section aria-labelledby="${id}-charts" class="charts-section"><h2 id="${id}-charts">Charts</h2>
<div class="controls"><label>Endpoint <select data-endpoint-select>${options.join('')}</select></label><span class="note">Drag on a chart to zoom, double-click to reset; click a legend entry to hide it. Showing <span data-showing>all endpoints</span>.</span></div>
${perEndpoint}
<div class="charts">
<figure><figcaption>Requests and failures per second, with users</figcaption><div class="chart" data-chart="throughput" role="img" aria-label="requests per second over time"></div></figure>
<figure><figcaption>Latency percentiles over time (ms)</figcaption><div class="chart" data-chart="latency" role="img" aria-label="latency percentiles over time"></div></figure>
<figure><figcaption>Latency distribution of the whole run</figcaption><div class="chart" data-chart="distribution" role="img" aria-label="latency histogram"></div></figure>
</div>
<h3>Response-time ranges</h3>
<div class="ranges" aria-hidden="true" data-range-bar>${rangeBar}</div>
<table><caption>Requests by latency range${result.targets ? ' (bounds from the latency targets when there are some)' : " (Gatling's bounds)"}; failed requests are counted in their range too. Showing <span data-showing>all endpoints</span>.</caption><thead><tr>${th('Range', false, 'l')}${th('Requests', false)}${th('Share', false)}</tr></thead><tbody data-range-rows>${rangeRows}<tr><td class="l">of which failed</td><td>${num(analysis.failed.count)}</td><td>${pct(analysis.failed.share, 1)}</td></tr></tbody></table>
</section>`;
}

function endpointsSection(result: ReportResult, id: string): string {
  const row = (e: EndpointResult, total = false) => {
    const l = e.latencyMs;
    const cells = [
      td(esc(e.method), e.method, 'l'),
      td(esc(e.name), e.name, 'name'),
      td(num(e.requests), e.requests),
      td(`${num(e.failures)} (${pct(e.failureRate)})`, e.failures),
      td(ms(l.min), l.min),
      td(ms(l.mean), l.mean),
      td(ms(l.p50), l.p50),
      td(ms(l.p90), l.p90),
      td(ms(l.p95), l.p95),
      td(ms(l.p99), l.p99),
      td(ms(l.p999), l.p999),
      td(ms(l.max), l.max),
      td(num(e.rps, 1), e.rps),
      td(num(e.avgBytes), e.avgBytes),
    ].join('');
    return total
      ? `<tr>${cells}</tr>`
      : `<tr class="pick" tabindex="0" data-endpoint="${esc(endpointKey(e))}" title="show this endpoint's charts">${cells}</tr>`;
  };
  const headers = [
    'Type',
    'Name',
    'Requests',
    'Failures',
    'Min',
    'Mean',
    'p50',
    'p90',
    'p95',
    'p99',
    'p99.9',
    'Max',
    'req/s',
    'Avg bytes',
  ];
  return `<section aria-labelledby="${id}-endpoints"><h2 id="${id}-endpoints">Endpoints</h2>
<div class="controls"><label>Filter <input type="search" data-filter="${id}-endpoint-table" placeholder="name or method"></label><span class="note">Click a column to sort, a row to see that endpoint's charts. Times in ms.</span></div>
<table id="${id}-endpoint-table" class="sortable"><thead><tr>${headers.map((h, i) => th(h, true, i < 2 ? 'l' : '')).join('')}</tr></thead>
<tbody>${result.endpoints.map((e) => row(e)).join('')}</tbody>
<tfoot>${row(result.totals, true)}</tfoot></table></section>`;
}

function phasesSection(result: ReportResult, id: string): string {
  const rows = [...result.endpoints, result.totals].filter((e) => e.phases);
  if (rows.length === 0) return '';
  const cells = (e: EndpointResult) => {
    const p = e.phases as NonNullable<EndpointResult['phases']>;
    return `<tr>${td(esc(e.method), undefined, 'l')}${td(esc(e.name), undefined, 'name')}${td(num(p.newConnections))}${td(ms(p.blockedMs.p50))}${td(p.clientMs ? ms(p.clientMs.p50) : '-')}${td(p.newConnections ? ms(p.connectMs.p50) : '-')}${td(p.tlsMs.max > 0 ? ms(p.tlsMs.p50) : '-')}${td(ms(p.ttfbMs.p50))}${td(ms(p.ttfbMs.p95))}${td(ms(p.ttfbMs.p99))}${td(ms(p.receiveMs.p50))}${td(ms(p.receiveMs.p95))}</tr>`;
  };
  return `<section aria-labelledby="${id}-phases"><h2 id="${id}-phases">Where the time went</h2>
<table><caption>Per request: blocked (waiting for a connection), client (the client's own time: building the request, a late open-model start, between redirect hops), connect and TLS (per connection opened), time to first byte (the server), receiving. ms.</caption>
<thead><tr>${['Type', 'Name', 'New conns', 'Blocked p50', 'Client p50', 'Connect p50', 'TLS p50', 'TTFB p50', 'TTFB p95', 'TTFB p99', 'Receive p50', 'Receive p95'].map((h, i) => th(h, false, i < 2 ? 'l' : '')).join('')}</tr></thead>
<tbody>${rows.map(cells).join('')}</tbody></table></section>`;
}

/** Endpoints down, error kinds and statuses across, with a sample message on each cell. */
function errorsSection(result: ReportResult, id: string): string {
  const groups = result.errors;
  if (groups.length === 0)
    return `<section aria-labelledby="${id}-errors"><h2 id="${id}-errors">Errors</h2><p class="empty">No errors.</p></section>`;
  const column = (g: ErrorGroup) => (g.status ? `${g.kind} ${g.status}` : g.kind);
  const columns = [...new Set(groups.map(column))].sort();
  const names = [...new Set(groups.map((g) => `${g.method} ${g.name}`))];
  const cell = new Map<string, { count: number; message: string }>();
  for (const g of groups) {
    const key = `${g.method} ${g.name}\u0000${column(g)}`;
    const seen = cell.get(key);
    cell.set(key, { count: (seen?.count ?? 0) + g.count, message: seen?.message ?? g.message });
  }
  const rows = names.map((name) => {
    const cells = columns.map((c) => {
      const hit = cell.get(`${name}\u0000${c}`);
      return hit
        ? `<td class="hit" data-v="${hit.count}" title="${esc(hit.message)}">${num(hit.count)}</td>`
        : '<td data-v="0"></td>';
    });
    return `<tr><td class="name">${esc(name)}</td>${cells.join('')}</tr>`;
  });
  const samples = groups
    .slice(0, 20)
    .map(
      (g) =>
        `<tr><td class="name">${esc(`${g.method} ${g.name}`)}</td><td class="l">${esc(column(g))}</td><td>${num(g.count)}</td><td class="l">${esc(g.message)}</td></tr>`,
    )
    .join('');
  return `<section aria-labelledby="${id}-errors"><h2 id="${id}-errors">Errors</h2>
<table class="matrix sortable"><caption>Failures by endpoint and kind (HTTP status where there was one); hover a count for a sample message.</caption>
<thead><tr>${th('Endpoint', true, 'l')}${columns.map((c) => th(c, true)).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>
<table><caption>Sample messages (largest groups first).</caption><thead><tr>${th('Endpoint', false, 'l')}${th('Kind', false, 'l')}${th('Count', false)}${th('Message', false, 'l')}</tr></thead><tbody>${samples}</tbody></table></section>`;
}

function serviceSection(service: ServiceReport | undefined, id: string): string {
  if (!service) return '';
  if (service.unavailable)
    return `<section aria-labelledby="${id}-service"><h2 id="${id}-service">Service</h2><p class="empty">No service figures: ${esc(service.unavailable)}.</p></section>`;
  const rate = (x: number | null) => (x === null ? 'n/a' : pct(x));
  const rows: Array<[string, string]> = [
    ['Cache hit rate', rate(service.cacheHitRate)],
    ['Task completion rate', rate(service.taskCompletionRate)],
    ['Provider uptime', rate(service.providerUptime)],
    ...Object.entries(service.providers).map(([name, up]): [string, string] => [
      `Provider ${name} success rate`,
      rate(up),
    ]),
    [
      'Service uptime (health probes)',
      service.uptime
        ? `${pct(service.uptime.ok / Math.max(service.uptime.total, 1))} (${service.uptime.ok} of ${service.uptime.total})`
        : 'n/a',
    ],
    [
      'Resident memory',
      service.residentMemoryMb
        ? `${service.residentMemoryMb.before} MB before, ${service.residentMemoryMb.after} MB after`
        : 'n/a',
    ],
  ];
  const layers = service.cacheLayers?.length
    ? `<table><caption>Cache lookups by layer (a lookup goes to the next layer on a miss).</caption><thead><tr>${th('Layer', false, 'l')}${th('Hits', false)}${th('Misses', false)}${th('Hit rate', false)}</tr></thead><tbody>${service.cacheLayers
        .map(
          (l) =>
            `<tr><td class="l">${esc(l.layer)}</td><td>${num(l.hits)}</td><td>${num(l.misses)}</td><td>${l.hits + l.misses === 0 ? 'n/a' : pct(l.hits / (l.hits + l.misses))}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '';
  const windows = service.windows?.length
    ? `<table><caption>Cache hit rate in each --window (the target's figure over time).</caption><thead><tr>${th('Window', false, 'l')}${th('Cache hit rate', false)}${th('', false, 'l')}</tr></thead><tbody>${service.windows
        .map(
          (w) =>
            `<tr><td class="l">${w.from}-${w.to}s</td><td>${w.cacheHitRate === null ? 'n/a' : pct(w.cacheHitRate, 1)}</td><td class="l"><span class="meter" style="width:${Math.round((w.cacheHitRate ?? 0) * 200)}px"></span></td></tr>`,
        )
        .join('')}</tbody></table>`
    : '';
  const slow = service.slowQueries;
  const slowTable = !slow
    ? ''
    : slow.total === 0
      ? `<h3>Slow queries</h3><p class="empty">No operation took ${slow.thresholdMs ?? '?'} ms or more during the run.</p>`
      : `<h3>Slow queries</h3><table class="sortable" id="${id}-slow"><caption>${num(slow.total)} operations took ${slow.thresholdMs ?? '?'} ms or more during the run${slow.entries.length < slow.total ? ` (the service's log keeps the last ${slow.entries.length})` : ''}; newest first.</caption><thead><tr>${th('Operation', true, 'l')}${th('Query', true, 'l')}${th('Duration ms', true)}${th('When', true, 'l')}</tr></thead><tbody>${slow.entries
          .map(
            (q) =>
              `<tr><td class="l">${esc(q.operation)}</td><td class="name">${esc(q.query ?? '')}</td>${td(ms(q.durationMs), q.durationMs)}<td class="l">${esc(q.at)}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  return `<section aria-labelledby="${id}-service"><h2 id="${id}-service">Service</h2>
<table><caption>From the service's metrics (<code>${esc(service.metricsUrl)}</code>) and health probes (<code>${esc(service.healthUrl)}</code>) during the run.</caption><tbody>${rows.map(([k, v]) => `<tr><th scope="row" class="l">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>${layers}${windows}${slowTable}</section>`;
}

function findingsSection(analysis: RunAnalysis, id: string, profile?: ProfileSummary): string {
  const findings = analysis.findings;
  const body =
    findings.length === 0
      ? '<p class="empty">No bottleneck found in the data: no rule fired.</p>'
      : findings
          .map(
            (
              f,
            ) => `<div class="finding ${f.severity}"><strong>${esc(f.severity === 'critical' ? 'Critical' : f.severity === 'warning' ? 'Warning' : 'Note')}: ${esc(f.title)}</strong><p>${esc(f.detail)}</p>
<p class="ev">Evidence: ${f.evidence.map((e) => `${esc(e.name)} ${esc(e.value)}`).join('; ')}</p>${f.recommendation?.length ? `<ul>${f.recommendation.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}</div>`,
          )
          .join('');
  const steps =
    analysis.nextSteps.length === 0
      ? '<p class="empty">Nothing failed or drifted.</p>'
      : `<ol>${analysis.nextSteps.map((s) => `<li>${esc(s.text)}${s.command ? `: <code>${esc(s.command)}</code>` : ''}${s.doc ? ` <span class="note">(${esc(s.doc)})</span>` : ''}</li>`).join('')}</ol>`;
  return `<section aria-labelledby="${id}-findings"><h2 id="${id}-findings">Bottlenecks and recommendations</h2>${body}${profile ? profileSection(profile, id) : ''}</section>
<section aria-labelledby="${id}-next"><h2 id="${id}-next">Next steps</h2>${steps}</section>`;
}

function comparisonSection(run: ReportRun, id: string): string {
  if (!run.comparison) return '';
  const rows = run.comparison
    .map(
      (c) =>
        `<tr><td class="name">${esc(c.name)}</td><td>${esc(c.baseline)}</td><td>${esc(c.current)}</td><td>${esc(c.change)}</td><td class="l"><span class="verdict-${/regress|worse|fail/i.test(c.verdict) ? 'fail' : /improv|better/i.test(c.verdict) ? 'pass' : 'unknown'}">${esc(c.verdict)}</span></td></tr>`,
    )
    .join('');
  return `<section aria-labelledby="${id}-baseline"><h2 id="${id}-baseline">Against the baseline</h2>
<p class="sub">Baseline: ${esc(run.baseline?.startedAt ?? '')}, ${esc(run.baseline?.target ?? '')}. The baseline's series are drawn dashed under this run's.</p>
<table class="sortable" id="${id}-comparison"><thead><tr>${th('Figure', true, 'l')}${th('Baseline', true)}${th('Current', true)}${th('Change', true)}${th('Verdict', true, 'l')}</tr></thead><tbody>${rows}</tbody></table></section>`;
}

/** One run's article: its verdict, its shape, and its sections in page order. */
export function runSection(run: ReportRun, index: number, many: boolean): string {
  const id = `run${index}`;
  const r = run.result;
  // The table of contents lists the sections this run has, in page order.
  const sections: Array<[string, string, string]> = [
    ['summary', 'summary', analysisSummary(run.analysis, id)],
    ['targets', 'targets', targetsSection(r.targets, id)],
    ['stress', 'stress', stressSection(r.stress, id)],
    ['baseline', 'baseline', comparisonSection(run, id)],
    ['charts', 'charts', chartsSection(r, run.analysis, id)],
    ['endpoints', 'endpoints', endpointsSection(r, id)],
    ['phases', 'phases', phasesSection(r, id)],
    ['errors', 'errors', errorsSection(r, id)],
    ['service', 'service', serviceSection(r.service, id)],
    ['database', 'database', databaseSection(r.database, id)],
    ['findings', 'bottlenecks', findingsSection(run.analysis, id, run.profile)],
  ];
  const present = sections.filter(([, , html]) => html !== '');
  const toc = present
    .map(([key, label]) => `<a href="#${id}-${key}">${label}</a>`)
    .concat(`<a href="#${id}-next">next steps</a>`);
  return `<article data-run="${index}" aria-labelledby="${id}-title">
<h1 id="${id}-title">${many ? `Run ${index + 1}: ` : ''}${esc(r.target)}</h1>
<p class="sub">${esc(run.source ?? '')}${run.source ? ' · ' : ''}fiml-perf ${esc(r.tool.version)} · result schema ${r.schemaVersion}</p>
${banner(r)}
${shape(r)}
<nav class="toc" aria-label="sections">${toc.join('')}</nav>
${present.map(([, , html]) => html).join('\n')}
</article>`;
}
