export { EXIT } from '../exit-codes.js';
export type { Io } from './program.js';
export { buildProgram, runCli, VERSION } from './program.js';
