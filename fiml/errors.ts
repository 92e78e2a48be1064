/** An error that becomes an HTTP answer: its status, a stable code, and what to fix. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toJSON() {
    return { error: this.code, message: this.message, ...this.details };
  }
}

/** Malformed input; `field` names what is wrong. */
export class BadRequestError extends HttpError {
  constructor(field: string, message: string, details: Record<string, unknown> = {}) {
    super(400, 'bad_request', `${field}: ${message}`, { field, ...details });
  }
}

export class NotFoundError extends HttpError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(404, 'not_found', message, details);
  }
}

export class UnknownSymbolError extends NotFoundError {
  constructor(readonly symbol: string) {
    super(`unknown symbol ${symbol}`, { symbol });
  }
}

/** The service cannot answer now (every provider down, task queue full); retrying may work. */
export class ServiceUnavailableError extends HttpError {
  constructor(code: string, message: string) {
    super(503, code, message);
  }
}
