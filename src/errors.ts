/**
 * Every user-facing error of fiml-perf has a stable code; callers branch on `code`, never on
 * the message. docs/errors.md explains each one (a test keeps the two in step).
 */
export const ERROR_CODES = {
  FP_ERR_USAGE:
    'The command line does not parse: an unknown command or flag, or a missing argument.',
  FP_ERR_INVALID_FLAG: 'A flag has a value out of range or of the wrong kind.',
  FP_ERR_INVALID_OPTION: 'An option passed to the FIML service does not validate.',
  FP_ERR_PORT_IN_USE: 'The port asked for is already taken by another process.',
  FP_ERR_PORT_DENIED:
    'The process may not listen on the port asked for (ports below 1024 need privileges).',
  FP_ERR_BAD_HOST: 'The address to listen on is not an address of this machine.',
  FP_ERR_REDIS_UNREACHABLE:
    'Redis, given with --redis or REDIS_URL (FIML), --coordinator or to fiml-perf agent, does not answer.',
  FP_ERR_SCENARIO:
    'A scenario file cannot run: missing, a syntax or type error, no user class, bad task weights.',
  FP_ERR_HOST_UNREACHABLE: 'The service to load (--host or URL) does not accept connections.',
  FP_ERR_TLS:
    'The TLS handshake with the service fails: a certificate not trusted, not for its name, or a client certificate missing.',
  FP_ERR_EMBEDDED_FIML:
    'The embedded FIML service, started when no --host is given, did not start.',
  FP_ERR_BENCH:
    'Benchmarks cannot run: no bench folder, a bench file that does not load, none matching, one that throws.',
  FP_ERR_BASELINE:
    'A result given to compare or report, or the history given to trend, is missing, not JSON, of the wrong shape, or from another environment.',
  FP_ERR_TARGETS:
    'Targets cannot be used: a file that is missing or does not parse, an expression with a syntax error, --only matching none.',
  FP_ERR_FAULTS:
    'Fault scenarios cannot run: the service has no fault injection (/admin/faults), or --only matches none.',
  FP_ERR_WRITE: 'A result file could not be written (a missing permission, a full disk).',
  FP_ERR_PROFILE:
    'Profiling cannot run: no inspector at the address given, an inspector beyond loopback without --allow-remote-inspector, or none of the service to attach to.',
  FP_ERR_MISSING_PACKAGE:
    'A command needs a package that fiml-perf does not install for everyone (FIML, distributed runs, k8s, Prometheus metrics), and it is missing or of another major version.',
  FP_ERR_DISTRIBUTED:
    'A distributed run cannot start: instances missing when the ready timeout ends, an index taken or out of range, no run to join, a plan an agent cannot run.',
  FP_ERR_DATABASE:
    "A PostgreSQL database cannot be used: FIML's own (serve --database) or the one a run watches (--postgres): a URL that does not parse, a server that refuses or does not answer, a wrong user or password, an unknown database, a migration that fails.",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A user error: bad input or an environment problem the user can fix. Exit code 2, no stack. */
export class PerfError extends Error {
  readonly code: ErrorCode;

  /** @param message what is wrong and how to fix it, on one line */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PerfError';
    this.code = code;
  }
}

/**
 * A job stopped by Ctrl-C or SIGTERM before its load started: nothing was sent, so nothing is
 * written. Exit code 130, one line, no stack.
 */
export class InterruptedError extends Error {
  constructor(message = 'stopped before the load started; nothing was sent, nothing written') {
    super(message);
    this.name = 'InterruptedError';
  }
}

export function isPerfError(error: unknown): error is PerfError {
  return error instanceof PerfError;
}

/**
 * An error that crossed a worker thread: structured cloning keeps its message and `code` but not
 * its class. One with a fiml-perf code is made a PerfError again, so a user's mistake in a worker
 * stays a user error (exit 2) and is not reported as a bug.
 */
export function reviveError(error: unknown): unknown {
  if (error instanceof PerfError || !(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code in ERROR_CODES
    ? new PerfError(code as ErrorCode, error.message, { cause: error })
    : error;
}
