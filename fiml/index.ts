export { buildApp, FIML_VERSION } from './app.js';
export type { Asset, AssetType } from './assets.js';
export { AssetUniverse, POPULAR_SYMBOLS } from './assets.js';
export type { Fiml } from './context.js';
export type { FimlOptions, ResolvedFimlOptions } from './options.js';
export { FimlOptionsError, resolveFimlOptions } from './options.js';
export type { ListenOptions, RunningFiml } from './server.js';
export { startServer } from './server.js';
