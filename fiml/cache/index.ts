export { L1Cache } from './l1.js';
export { L2Cache, L2Error } from './l2.js';
export type {
  Cached,
  CacheLayer,
  CacheManagerOptions,
  CacheObserver,
  CacheStats,
  DataKind,
  PersistentLayer,
} from './manager.js';
export { CacheManager, DEFAULT_TTL_SECONDS } from './manager.js';
