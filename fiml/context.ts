import type { Histogram } from 'prom-client';
import type { ServiceMonitor } from '../src/monitor/index.js';
import type { AnalysisService } from './analysis-service.js';
import type { AssetUniverse } from './assets.js';
import type { CacheManager, L2Cache } from './cache/index.js';
import type { EmbeddedPostgres, MarketStore } from './database/index.js';
import type { DslExecutor } from './dsl/index.js';
import type { FaultState } from './faults.js';
import type { MarketDataService } from './market-data.js';
import type { ResolvedFimlOptions } from './options.js';
import type { ProviderRegistry } from './providers/index.js';
import type { TaskPool } from './tasks/index.js';

/** Everything one FIML instance is made of; routes receive it, tests may inspect it. */
export interface Fiml {
  readonly options: ResolvedFimlOptions;
  readonly universe: AssetUniverse;
  readonly faults: FaultState;
  readonly registry: ProviderRegistry;
  readonly cache: CacheManager;
  readonly l2: L2Cache | undefined;
  /** FIML's database, when it has one; `embedded` when it runs inside this process. */
  readonly database:
    | { readonly store: MarketStore; readonly embedded: EmbeddedPostgres | null }
    | undefined;
  readonly data: MarketDataService;
  readonly tasks: TaskPool;
  readonly analysis: AnalysisService;
  readonly dsl: DslExecutor;
  readonly monitor: ServiceMonitor;
  readonly dslSeconds: Histogram<'query_type'>;
  /** Milliseconds since the instance was built. */
  readonly elapsedMs: () => number;
  readonly version: string;
}
