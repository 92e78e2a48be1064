import { type ErrorCode, PerfError } from '../errors.js';

/** A request the session refuses: the API answers with `status` and the message. */
export class UiError extends PerfError {
  constructor(
    readonly status: number,
    message: string,
    /** The error code a command gives it (--autostart): what `load` would have said. */
    code: ErrorCode = 'FP_ERR_INVALID_FLAG',
  ) {
    super(code, message);
    this.name = 'UiError';
  }
}
