/**
 * The Grafana dashboards, written once here and rendered to deploy/grafana/dashboards/*.json
 * (`node --import tsx deploy/grafana/dashboards.ts`; tests/deploy/grafana.test.ts fails when the
 * committed JSON differs from what this renders). Classic dashboard JSON, which Grafana's file
 * provisioning loads. Percentiles always come from summed histogram buckets, never from an
 * average of per-instance percentiles.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DATASOURCE = { type: 'prometheus', uid: 'fiml-prometheus' } as const;

interface Target {
  readonly expr: string;
  readonly legend: string;
}

interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly kind: 'timeseries' | 'stat';
  readonly unit: string;
  readonly targets: readonly Target[];
  /** Stat panels: the target's threshold, and whether the figure must stay below it. */
  readonly threshold?: { readonly value: number; readonly below: boolean };
  readonly width?: number;
}

const t = (expr: string, legend: string): Target => ({ expr, legend });

/** Panels laid out left to right, 24 columns a row. */
function dashboard(spec: {
  uid: string;
  title: string;
  description: string;
  variables: ReadonlyArray<{ name: string; query: string; label: string }>;
  rows: ReadonlyArray<{ title: string; panels: readonly PanelSpec[] }>;
}) {
  let id = 1;
  let y = 0;
  const panels: unknown[] = [];
  for (const row of spec.rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    for (const p of row.panels) {
      const w = p.width ?? (p.kind === 'stat' ? 4 : 12);
      const h = p.kind === 'stat' ? 4 : 8;
      if (x + w > 24) {
        x = 0;
        y += h;
      }
      panels.push({
        id: id++,
        type: p.kind,
        title: p.title,
        description: p.description,
        datasource: DATASOURCE,
        gridPos: { h, w, x, y },
        fieldConfig: {
          defaults: {
            unit: p.unit,
            ...(p.threshold
              ? {
                  thresholds: {
                    mode: 'absolute',
                    steps: p.threshold.below
                      ? [
                          { color: 'green', value: null },
                          { color: 'red', value: p.threshold.value },
                        ]
                      : [
                          { color: 'red', value: null },
                          { color: 'green', value: p.threshold.value },
                        ],
                  },
                  color: { mode: 'thresholds' },
                }
              : {}),
          },
          overrides: [],
        },
        options:
          p.kind === 'stat'
            ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false } }
            : { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
        targets: p.targets.map((target, i) => ({
          refId: String.fromCharCode(65 + i),
          datasource: DATASOURCE,
          expr: target.expr,
          legendFormat: target.legend,
          ...(p.kind === 'stat' ? { instant: false } : {}),
        })),
      });
      x += w;
    }
    y += 8;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['fiml', 'fiml-perf'],
    schemaVersion: 39,
    version: 1,
    editable: true,
    time: { from: 'now-15m', to: 'now' },
    refresh: '5s',
    timezone: '',
    templating: {
      list: spec.variables.map((v) => ({
        name: v.name,
        label: v.label,
        type: 'query',
        datasource: DATASOURCE,
        query: { query: v.query, refId: `${v.name}-query` },
        definition: v.query,
        includeAll: true,
        multi: true,
        allValue: '.*',
        current: { selected: true, text: ['All'], value: ['$__all'] },
        refresh: 2,
        sort: 1,
      })),
    },
    annotations: { list: [] },
    panels,
  };
}

/** FIML's series, narrowed by the instance and endpoint variables. */
const F = 'job="fiml",instance=~"$instance"';
const FE = `${F},endpoint=~"$endpoint"`;
const R = '[$__rate_interval]';

export const fimlService = dashboard({
  uid: 'fiml-service',
  title: 'FIML service',
  description:
    "FIML's own view: the six targets, traffic and latency by endpoint, cache, providers, tasks, DSL and narratives, and the Node.js runtime (docs/observability.md).",
  variables: [
    { name: 'instance', label: 'Instance', query: 'label_values(up{job="fiml"}, instance)' },
    {
      name: 'endpoint',
      label: 'Endpoint',
      query: 'label_values(fiml_requests_total{job="fiml"}, endpoint)',
    },
  ],
  rows: [
    {
      title: 'Targets (targets/standard.yaml)',
      panels: [
        {
          title: 'Average response time',
          description:
            'Mean request duration over the last minute, all endpoints. Target: under 200 ms.',
          kind: 'stat',
          unit: 's',
          threshold: { value: 0.2, below: true },
          targets: [
            t(
              `sum(rate(fiml_request_duration_seconds_sum{${F}}${R})) / sum(rate(fiml_request_duration_seconds_count{${F}}${R}))`,
              'average',
            ),
          ],
        },
        {
          title: 'P99 response time',
          description:
            '99th percentile from the summed histogram buckets of every instance. Target: under 500 ms.',
          kind: 'stat',
          unit: 's',
          threshold: { value: 0.5, below: true },
          targets: [
            t(
              `histogram_quantile(0.99, sum by (le) (rate(fiml_request_duration_seconds_bucket{${F}}${R})))`,
              'p99',
            ),
          ],
        },
        {
          title: 'Cache hit rate',
          description:
            'Lookups answered by a cache layer (L1 in process, or L2 Redis on an L1 miss) over all lookups, last 5 minutes. Target: over 80%.',
          kind: 'stat',
          unit: 'percentunit',
          threshold: { value: 0.8, below: false },
          targets: [
            t(
              `sum(rate(fiml_cache_hits_total{${F}}[5m])) / (sum(rate(fiml_cache_hits_total{${F}, layer="l1"}[5m])) + sum(rate(fiml_cache_misses_total{${F}, layer="l1"}[5m])))`,
              'hit rate',
            ),
          ],
        },
        {
          title: 'Task completion rate',
          description: "Completed over settled tasks, FIML's own gauge. Target: over 95%.",
          kind: 'stat',
          unit: 'percentunit',
          threshold: { value: 0.95, below: false },
          targets: [t(`min(fiml_task_completion_rate{${F}})`, 'completion')],
        },
        {
          title: 'Uptime',
          description: 'Share of scrapes FIML answered over the last hour. Target: over 99.5%.',
          kind: 'stat',
          unit: 'percentunit',
          threshold: { value: 0.995, below: false },
          targets: [t(`min(avg_over_time(up{${F}}[1h]))`, 'uptime')],
        },
        {
          title: 'Provider uptime',
          description:
            'Successful provider calls over all calls, last 5 minutes. Target: over 99%.',
          kind: 'stat',
          unit: 'percentunit',
          threshold: { value: 0.99, below: false },
          targets: [
            t(
              `sum(rate(fiml_provider_requests_total{${F},status="success"}[5m])) / sum(rate(fiml_provider_requests_total{${F}}[5m]))`,
              'provider uptime',
            ),
          ],
        },
      ],
    },
    {
      title: 'Traffic and latency',
      panels: [
        {
          title: 'Requests by endpoint',
          description: 'Requests a second FIML answered, by endpoint.',
          kind: 'timeseries',
          unit: 'reqps',
          targets: [t(`sum by (endpoint) (rate(fiml_requests_total{${FE}}${R}))`, '{{endpoint}}')],
        },
        {
          title: 'Error rate by endpoint',
          description: 'Share of requests answered with a 5xx status, by endpoint (0 when none).',
          kind: 'timeseries',
          unit: 'percentunit',
          targets: [
            t(
              `(sum by (endpoint) (rate(fiml_requests_total{${FE},status=~"5.."}${R})) or sum by (endpoint) (rate(fiml_requests_total{${FE}}${R})) * 0) / sum by (endpoint) (rate(fiml_requests_total{${FE}}${R}))`,
              '{{endpoint}}',
            ),
          ],
        },
        {
          title: 'Latency percentiles',
          description: 'p50, p95 and p99 over all selected endpoints, from summed buckets.',
          kind: 'timeseries',
          unit: 's',
          targets: [0.5, 0.95, 0.99].map((q) =>
            t(
              `histogram_quantile(${q}, sum by (le) (rate(fiml_request_duration_seconds_bucket{${FE}}${R})))`,
              `p${q * 100}`,
            ),
          ),
        },
        {
          title: 'P99 by endpoint',
          description: 'Which endpoint owns the tail.',
          kind: 'timeseries',
          unit: 's',
          targets: [
            t(
              `histogram_quantile(0.99, sum by (endpoint, le) (rate(fiml_request_duration_seconds_bucket{${FE}}${R})))`,
              '{{endpoint}}',
            ),
          ],
        },
      ],
    },
    {
      title: 'Cache, providers and tasks',
      panels: [
        {
          title: 'Cache hit rate by layer',
          description: 'L1 (in process) and L2 (Redis) separately.',
          kind: 'timeseries',
          unit: 'percentunit',
          targets: [
            t(
              `sum by (layer) (rate(fiml_cache_hits_total{${F}}${R})) / (sum by (layer) (rate(fiml_cache_hits_total{${F}}${R})) + sum by (layer) (rate(fiml_cache_misses_total{${F}}${R})))`,
              '{{layer}}',
            ),
          ],
        },
        {
          title: 'Provider calls by provider and outcome',
          description: 'Calls a second to each data provider, successes and errors.',
          kind: 'timeseries',
          unit: 'reqps',
          targets: [
            t(
              `sum by (provider, status) (rate(fiml_provider_requests_total{${F}}${R}))`,
              '{{provider}} {{status}}',
            ),
          ],
        },
        {
          title: 'Provider latency p95',
          description: 'By provider, from summed buckets.',
          kind: 'timeseries',
          unit: 's',
          targets: [
            t(
              `histogram_quantile(0.95, sum by (provider, le) (rate(fiml_provider_latency_seconds_bucket{${F}}${R})))`,
              '{{provider}}',
            ),
          ],
        },
        {
          title: 'Provider uptime by provider',
          description: 'Successful calls over all calls, by provider.',
          kind: 'timeseries',
          unit: 'percentunit',
          targets: [
            t(
              `sum by (provider) (rate(fiml_provider_requests_total{${F},status="success"}[5m])) / sum by (provider) (rate(fiml_provider_requests_total{${F}}[5m]))`,
              '{{provider}}',
            ),
          ],
        },
        {
          title: 'Task outcomes',
          description:
            'Tasks settled a second: completed, failed (the work threw), rejected (queue full).',
          kind: 'timeseries',
          unit: 'ops',
          targets: [t(`sum by (status) (rate(fiml_tasks_total{${F}}${R}))`, '{{status}}')],
        },
        {
          title: 'DSL execution and narrative times (p95)',
          description: 'How long FIML-DSL queries and generated narratives take.',
          kind: 'timeseries',
          unit: 's',
          targets: [
            t(
              `histogram_quantile(0.95, sum by (le) (rate(fiml_dsl_execution_seconds_bucket{${F}}${R})))`,
              'DSL',
            ),
            t(
              `histogram_quantile(0.95, sum by (le) (rate(fiml_narrative_generation_seconds_bucket{${F}}${R})))`,
              'narrative',
            ),
          ],
        },
        {
          title: 'Slow queries',
          description: 'Operations over the slow-query threshold, a second (0 when none).',
          kind: 'timeseries',
          unit: 'ops',
          targets: [
            t(
              `sum(rate(fiml_slow_queries_total{${F}}${R})) or sum(rate(fiml_requests_total{${F}}${R})) * 0`,
              'slow queries',
            ),
          ],
        },
      ],
    },
    {
      title: "FIML's database",
      panels: [
        {
          title: 'Database queries by statement',
          description:
            'Queries FIML sends to its database a second, by statement (history, cache_get, cache_set, cache_sweep); nothing without a database.',
          kind: 'timeseries',
          unit: 'ops',
          targets: [
            t(`sum by (statement) (rate(fiml_db_query_seconds_count{${F}}${R}))`, '{{statement}}'),
          ],
        },
        {
          title: 'Database query time p95 by statement',
          description:
            "How long FIML's queries take, seen from FIML (pool wait and round trip included). A history p95 that jumps with no change in traffic: a missing index (docs/database.md).",
          kind: 'timeseries',
          unit: 's',
          targets: [
            t(
              `histogram_quantile(0.95, sum by (le, statement) (rate(fiml_db_query_seconds_bucket{${F}}${R})))`,
              '{{statement}}',
            ),
          ],
        },
        {
          title: 'Database connections',
          description:
            "FIML's pool: connections busy and idle, and requests waiting for one (a pool too small for the load).",
          kind: 'timeseries',
          unit: 'short',
          targets: [t(`sum by (state) (fiml_db_connections{${F}})`, '{{state}}')],
        },
        {
          title: 'Database query errors',
          description: 'Queries that failed a second, by statement (0 when none).',
          kind: 'timeseries',
          unit: 'ops',
          targets: [
            t(
              `sum by (statement) (rate(fiml_db_query_errors_total{${F}}${R})) or sum(rate(fiml_requests_total{${F}}${R})) * 0`,
              '{{statement}}',
            ),
          ],
        },
      ],
    },
    {
      title: 'Node.js runtime',
      panels: [
        {
          title: 'Event-loop delay',
          description: 'p99 of the event-loop delay, per instance: blocking work shows here.',
          kind: 'timeseries',
          unit: 's',
          width: 8,
          targets: [t(`nodejs_eventloop_lag_p99_seconds{${F}}`, '{{instance}}')],
        },
        {
          title: 'Heap used and RSS',
          description: 'V8 heap in use and the resident memory of the process.',
          kind: 'timeseries',
          unit: 'bytes',
          width: 8,
          targets: [
            t(`nodejs_heap_size_used_bytes{${F}}`, 'heap {{instance}}'),
            t(`process_resident_memory_bytes{${F}}`, 'RSS {{instance}}'),
          ],
        },
        {
          title: 'Garbage collection',
          description: 'Share of time in GC, by kind.',
          kind: 'timeseries',
          unit: 'percentunit',
          width: 8,
          targets: [
            t(`sum by (kind) (rate(nodejs_gc_duration_seconds_sum{${F}}${R}))`, '{{kind}}'),
          ],
        },
      ],
    },
  ],
});

/** The generator's series. */
const G = 'job=~"fiml_perf|pushgateway",instance=~"$instance"';

export const loadTest = dashboard({
  uid: 'fiml-perf-load',
  title: 'fiml-perf load test',
  description:
    "The load generator's figures (fiml-perf load --metrics-port or --prometheus-push) next to FIML's view of the same traffic. Latency percentiles from the generators' merged histograms.",
  variables: [
    {
      name: 'instance',
      label: 'Generator',
      query: 'label_values(fiml_perf_run_info, instance)',
    },
    {
      name: 'endpoint',
      label: 'Endpoint',
      query: 'label_values(fiml_perf_requests_total, endpoint)',
    },
  ],
  rows: [
    {
      title: 'Load',
      panels: [
        {
          title: 'Requests a second: generator and service',
          description:
            'What the generators finished, and what FIML answered (the service also counts its own /metrics and probes).',
          kind: 'timeseries',
          unit: 'reqps',
          targets: [
            t(`sum(rate(fiml_perf_requests_total{${G},endpoint=~"$endpoint"}${R}))`, 'generator'),
            t(`sum(rate(fiml_requests_total{job="fiml"}${R}))`, 'FIML'),
          ],
        },
        {
          title: 'Failures by kind',
          description:
            'Failed requests a second: http (a status), timeout, refused, reset, check...',
          kind: 'timeseries',
          unit: 'reqps',
          targets: [
            t(
              `sum by (kind) (rate(fiml_perf_failures_total{${G},endpoint=~"$endpoint"}${R})) or sum(rate(fiml_perf_requests_total{${G}}${R})) * 0`,
              '{{kind}}',
            ),
          ],
        },
        {
          title: 'Latency the clients saw',
          description: 'p50, p95, p99 from the summed buckets of every generator.',
          kind: 'timeseries',
          unit: 's',
          targets: [0.5, 0.95, 0.99].map((q) =>
            t(
              `histogram_quantile(${q}, sum by (le) (rate(fiml_perf_request_duration_seconds_bucket{${G},endpoint=~"$endpoint"}${R})))`,
              `p${q * 100}`,
            ),
          ),
        },
        {
          title: 'P99: clients against the service',
          description:
            "The generators' p99 and FIML's own: the gap is the network, queueing before FIML's handler, and the client.",
          kind: 'timeseries',
          unit: 's',
          targets: [
            t(
              `histogram_quantile(0.99, sum by (le) (rate(fiml_perf_request_duration_seconds_bucket{${G}}${R})))`,
              'clients',
            ),
            t(
              `histogram_quantile(0.99, sum by (le) (rate(fiml_request_duration_seconds_bucket{job="fiml"}${R})))`,
              'FIML',
            ),
          ],
        },
      ],
    },
    {
      title: 'Users, rate and the generators',
      panels: [
        {
          title: 'Users',
          description: 'Virtual users running, all generators.',
          kind: 'timeseries',
          unit: 'short',
          width: 8,
          targets: [t(`sum(fiml_perf_users{${G}})`, 'users')],
        },
        {
          title: 'Rate: intended, achieved, dropped',
          description:
            'Open model: iterations a second the schedule asked for, requests finished, and iterations dropped for want of a free user.',
          kind: 'timeseries',
          unit: 'ops',
          width: 8,
          targets: [
            t(`sum(fiml_perf_target_rate{${G}}) or sum(fiml_perf_users{${G}}) * 0`, 'intended'),
            t(`sum(rate(fiml_perf_requests_total{${G}}${R}))`, 'achieved'),
            t(`sum(rate(fiml_perf_dropped_iterations_total{${G}}${R}))`, 'dropped'),
          ],
        },
        {
          title: 'Generator health',
          description:
            "Each generator's CPU (cores) and event-loop delay p99: past 0.9 core or 50 ms, the figures measure the generator, not the service.",
          kind: 'timeseries',
          unit: 'short',
          width: 8,
          targets: [
            t(`fiml_perf_generator_cpu_ratio{${G}}`, 'CPU {{instance}}'),
            t(`fiml_perf_generator_event_loop_delay_seconds{${G}}`, 'loop delay s {{instance}}'),
          ],
        },
      ],
    },
  ],
});

/** The files this module renders. */
export const FILES = {
  'fiml-service.json': fimlService,
  'fiml-perf-load.json': loadTest,
} as const;

/** Every query of a dashboard with its panel's title, variables left in. */
export function panelQueries(d: {
  panels: ReadonlyArray<{ title?: string; targets?: ReadonlyArray<{ expr: string }> }>;
}): Array<{ panel: string; expr: string }> {
  return d.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title ?? '', expr: t.expr })),
  );
}

export function render(dashboard: unknown): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  for (const [file, d] of Object.entries(FILES))
    writeFileSync(new URL(`dashboards/${file}`, import.meta.url), render(d));
