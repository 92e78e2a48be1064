import { Counter, Gauge } from 'prom-client';
import type { ServiceMonitor } from '../../src/monitor/index.js';
import type { MarketStore, QueryObserver } from './market-store.js';

const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The SQL of each named statement, shown beside a slow one in the slow-query log. */
export type StatementTexts = Readonly<Record<string, string>>;

/**
 * FIML's database metrics: `fiml_db_query_seconds{statement}`, `fiml_db_query_errors_total`,
 * `fiml_db_connections{state}`; a query over the slow threshold also lands in the slow-query log
 * as the operation `db:<statement>`.
 */
export function databaseObserver(monitor: ServiceMonitor): {
  observer: QueryObserver;
  watchPool(store: MarketStore): void;
} {
  if (!monitor.enabled) return { observer: { onQuery: () => {} }, watchPool: () => {} };
  const seconds = monitor.histogram(
    'db_query_seconds',
    "Time of FIML's database queries in seconds, by statement",
    ['statement'],
    QUERY_BUCKETS,
  );
  const errors = new Counter({
    name: `${monitor.prefix}_db_query_errors_total`,
    help: "FIML's database queries that failed, by statement",
    labelNames: ['statement'],
    registers: [monitor.registry],
  });
  const children = new Map<string, { observe(v: number): void }>();
  return {
    observer: {
      onQuery(statement, s, ok) {
        let child = children.get(statement);
        if (!child) {
          child = seconds.labels(statement);
          children.set(statement, child);
        }
        child.observe(s);
        if (!ok) errors.inc({ statement });
        monitor.observeOperation(`db:${statement}`, s);
      },
    },
    watchPool(store) {
      new Gauge({
        name: `${monitor.prefix}_db_connections`,
        help: "FIML's connections to its database by state (idle, busy) and requests waiting for one",
        labelNames: ['state'],
        registers: [monitor.registry],
        collect() {
          const { total, idle, waiting } = store.connections;
          this.set({ state: 'idle' }, idle);
          this.set({ state: 'busy' }, total - idle);
          this.set({ state: 'waiting' }, waiting);
        },
      });
    },
  };
}
