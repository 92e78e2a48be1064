export { DEFAULT_PROVIDERS } from './defaults.js';
export type {
  OutageWindow,
  ProviderConfig,
  ProviderContext,
  ProviderFailureKind,
  Quote,
} from './provider.js';
export { ProviderError, SimulatedProvider } from './provider.js';
export type {
  Fetched,
  ProviderObserver,
  ProviderOperation,
  ProviderStatus,
  RegistryOptions,
} from './registry.js';
export {
  AllProvidersFailedError,
  ProviderRegistry,
} from './registry.js';
