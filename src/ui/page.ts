/**
 * The live UI's page: a skeleton that ui.js fills from the event stream. It loads only this
 * server's own files (the CSP says so), so it works offline and nothing leaves the page.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

const th = (label: string, left = false) =>
  `<th scope="col"${left ? ' class="l"' : ''} aria-sort="none"><button type="button">${label}</button></th>`;

export function uiPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fiml-perf live</title>
<link rel="stylesheet" href="/assets/uplot.css">
<link rel="stylesheet" href="/assets/report.css">
<link rel="stylesheet" href="/assets/ui.css">
</head>
<body>
<header class="bar">
<div class="brand"><strong>fiml-perf</strong> <span class="sub">live</span></div>
<span id="state" class="state" role="status" aria-live="polite">connecting</span>
<dl class="figures">
<div><dt>Host</dt><dd id="f-host">-</dd></div>
<div><dt>Users</dt><dd id="f-users">0</dd></div>
<div><dt>RPS</dt><dd id="f-rps">0</dd></div>
<div><dt>Failures</dt><dd id="f-failures">0%</dd></div>
<div><dt>Elapsed</dt><dd id="f-elapsed">-</dd></div>
</dl>
<div class="buttons">
<button type="button" id="b-stop" hidden>Stop</button>
<button type="button" id="b-reset" hidden>Reset stats</button>
<button type="button" id="b-new" hidden>New test</button>
</div>
</header>
<progress id="progress" max="1" value="0" hidden></progress>
<div id="message" class="message" role="alert" hidden></div>
<div id="saturation" class="banner invalid" role="status" hidden></div>
<div id="warnings" class="note"></div>

<section id="start-panel" aria-labelledby="start-title" hidden>
<h2 id="start-title">Start new load test</h2>
<form id="start-form" novalidate>
<p class="sub">Scenario <code id="scenario">-</code></p>
<label class="wide">Host <input name="host" id="i-host" type="url" placeholder="the default host" autocomplete="off"></label>
<fieldset class="wide"><legend>User classes (weight)</legend><div id="classes" class="classes"></div></fieldset>
<fieldset class="wide model"><legend>Model</legend>
<label><input type="radio" name="model" value="closed" checked> closed: a number of users</label>
<label><input type="radio" name="model" value="open"> open: a rate of iterations</label>
</fieldset>
<label data-model="closed">Number of users <input name="users" id="i-users" type="number" min="0" step="1" value="10"></label>
<label data-model="closed">Spawn rate (users started a second) <input name="spawnRate" id="i-spawn" type="number" min="0.001" step="any" value="10"></label>
<label data-model="open" hidden>Rate (iterations a second) <input name="rate" id="i-rate" type="number" min="0" step="any" value="10"></label>
<label data-model="open" hidden>Max users <input name="maxUsers" id="i-max-users" type="number" min="1" step="1" value="1000"></label>
<label>Run time <input name="runTime" id="i-run-time" placeholder="30s, 5m, 1h30m; empty: until stopped" autocomplete="off"></label>
<label class="wide">Targets file <input name="targetsFile" id="i-targets-file" placeholder="targets/standard.yaml (a path on the machine running the UI)" autocomplete="off"></label>
<label class="wide">Targets, one a line <textarea name="targets" id="i-targets" rows="3" placeholder="p99 < 500ms&#10;error_rate < 1%"></textarea></label>
<div class="wide"><button type="submit" id="b-start" class="primary">Start</button></div>
</form>
</section>

<section id="edit-panel" aria-labelledby="edit-title" hidden>
<h2 id="edit-title">Edit running load test</h2>
<form id="edit-form" class="inline" novalidate>
<label data-model="closed">Number of users <input name="users" id="e-users" type="number" min="0" step="1"></label>
<label data-model="closed">Spawn rate <input name="spawnRate" id="e-spawn" type="number" min="0.001" step="any"></label>
<label data-model="open" hidden>Rate <input name="rate" id="e-rate" type="number" min="0" step="any"></label>
<button type="submit" id="b-apply" class="primary">Apply</button>
</form>
</section>

<main id="live" hidden>
<section aria-labelledby="charts-title">
<h2 id="charts-title">Charts</h2>
<div class="controls"><label>Endpoint <select id="endpoint-select"><option value="">all endpoints</option></select></label><span class="note">Click a statistics row to see its endpoint; drag on a chart to zoom, double-click to reset; click a legend entry to hide it.</span></div>
<div class="charts">
<figure><figcaption>Requests and failures per second, with users</figcaption><div class="chart" id="c-throughput" role="img" aria-label="requests per second over time"></div></figure>
<figure><figcaption>Latency percentiles over time (ms), with the latency targets</figcaption><div class="chart" id="c-latency" role="img" aria-label="latency percentiles over time"></div></figure>
<figure><figcaption>Latency distribution of the run so far</figcaption><div class="chart" id="c-distribution" role="img" aria-label="latency histogram"></div></figure>
</div>
</section>

<section aria-labelledby="stats-title">
<h2 id="stats-title">Statistics</h2>
<div class="controls"><label>Filter <input type="search" id="stats-filter" data-filter="stats-table" placeholder="name or method"></label><span class="note">Whole run so far; times in ms; current RPS is the last second.</span></div>
<table id="stats-table" class="sortable"><thead><tr>${th('Type', true)}${th('Name', true)}${th('Requests')}${th('Fails')}${th('p50')}${th('p90')}${th('p95')}${th('p99')}${th('p99.9')}${th('Max')}${th('Avg')}${th('Current RPS')}</tr></thead><tbody></tbody><tfoot></tfoot></table>
</section>

<section aria-labelledby="targets-title">
<h2 id="targets-title">Targets</h2>
<div id="targets"><p class="empty">No targets for this test.</p></div>
</section>

<section aria-labelledby="failures-title">
<h2 id="failures-title">Failures</h2>
<div id="failures"><p class="empty">No failures.</p></div>
</section>

<div class="columns">
<section aria-labelledby="service-title">
<h2 id="service-title">Service</h2>
<div id="service"><p class="empty">Waiting for the service's metrics.</p></div>
</section>
<section aria-labelledby="generator-title">
<h2 id="generator-title">Load generator</h2>
<div id="generator"><p class="empty">-</p></div>
</section>
</div>

<section aria-labelledby="downloads-title">
<h2 id="downloads-title">Download data</h2>
<ul id="downloads" class="downloads">
<li><a href="/api/download/result.json" download>Result JSON</a></li>
<li><a href="/api/download/report.html" download>HTML report</a></li>
<li><a href="/api/download/stats.csv" download>Statistics CSV</a></li>
<li><a href="/api/download/stats_history.csv" download>Statistics history CSV</a></li>
<li><a href="/api/download/failures.csv" download>Failures CSV</a></li>
<li><a href="/api/download/exceptions.csv" download>Exceptions CSV</a></li>
</ul>
<p class="note" id="downloads-note">The files of a test can be downloaded once it has ended.</p>
</section>
</main>
<footer class="note" id="footer"></footer>
<script src="/assets/uplot.js"></script>
<script src="/assets/charts.js"></script>
<script src="/assets/ui.js"></script>
</body>
</html>
`;
}
