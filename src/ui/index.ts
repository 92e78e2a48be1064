export type { EditInput, StartInput } from './form.js';
export { editSchema, startSchema } from './form.js';
export type { UiServer, UiServerOptions } from './server.js';
export { generateToken, isLoopback, startUiServer } from './server.js';
export type {
  EndpointRow,
  Mark,
  RunView,
  Snapshot,
  TestObserver,
  Tick,
  UiEvent,
  UiSessionOptions,
  UiState,
  UiTargetSettings,
} from './session.js';
export { downloads, UiError, UiSession } from './session.js';
