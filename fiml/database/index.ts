export type { EmbeddedOptions, EmbeddedPostgres } from './embedded.js';
export { startEmbeddedPostgres } from './embedded.js';
export type { StatementTexts } from './instrument.js';
export { databaseObserver } from './instrument.js';
export type { MarketStoreOptions, QueryObserver, SeedReport } from './market-store.js';
export { DatabaseError, MarketStore, redactDatabaseUrl } from './market-store.js';
export type { Migration } from './migrations.js';
export { HISTORY_INDEX, HISTORY_INDEX_DDL, MIGRATIONS } from './migrations.js';
export { barsOf, INTRADAY_DAYS } from './seed.js';
