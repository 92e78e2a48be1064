export { downloads } from './downloads.js';
export type { EndpointRow, Mark, RunView, Snapshot, Tick, UiEvent, UiState } from './events.js';
export type { EditInput, StartInput } from './form.js';
export { editSchema, startSchema } from './form.js';
export type { UiServer, UiServerOptions } from './server.js';
export { generateToken, isLoopback, startUiServer } from './server.js';
export type { TestObserver, UiSessionOptions, UiTargetSettings } from './session.js';
export { UiSession } from './session.js';
export { UiError } from './ui-error.js';
