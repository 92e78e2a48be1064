/**
 * How a request failed; the result groups errors by kind. `exception` is a task that threw (not a
 * request), recorded under method `TASK`.
 */
export type FailureKind =
  | 'refused'
  | 'reset'
  | 'timeout'
  | 'http'
  | 'check'
  | 'tls'
  | 'redirect'
  | 'exception'
  | 'other';

export interface Failure {
  readonly kind: FailureKind;
  readonly message: string;
  /** HTTP status, when the server answered. */
  readonly status?: number;
}

/** One group of errors in a result: same kind, request and status, with one sample message. */
export interface ErrorGroup {
  readonly kind: FailureKind;
  readonly method: string;
  readonly name: string;
  readonly status: number | null;
  count: number;
  readonly message: string;
}

/** The longest sample message kept: a check may return a whole body as its reason. */
const MAX_MESSAGE = 300;

const clip = (message: string) =>
  message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message;

/** Errors grouped by kind, request and status; bounded, so a storm of distinct ones stays small. */
export class ErrorTable {
  private readonly groups = new Map<string, ErrorGroup>();
  /** Errors whose group could not be kept because the table was full. */
  overflow = 0;

  constructor(private readonly maxGroups = 500) {}

  add(method: string, name: string, failure: Failure, count = 1): void {
    const status = failure.status ?? null;
    const key = `${failure.kind}\u0000${method}\u0000${name}\u0000${status}`;
    const group = this.groups.get(key);
    if (group) group.count += count;
    else if (this.groups.size < this.maxGroups)
      this.groups.set(key, {
        kind: failure.kind,
        method,
        name,
        status,
        count,
        message: clip(failure.message),
      });
    else this.overflow += count;
  }

  addGroup(group: ErrorGroup): void {
    this.add(
      group.method,
      group.name,
      { kind: group.kind, message: group.message, status: group.status ?? undefined },
      group.count,
    );
  }

  /** Largest groups first. */
  list(): ErrorGroup[] {
    return [...this.groups.values()].map((g) => ({ ...g })).sort((a, b) => b.count - a.count);
  }

  clear(): void {
    this.groups.clear();
    this.overflow = 0;
  }
}

const CODES: Record<string, FailureKind> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  ETIMEDOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_ABORTED: 'timeout',
};

/** OpenSSL's and Node's codes for a certificate that was refused or a handshake that failed. */
const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|CERT_|ERR_OSSL_)/;

/** Classifies a transport error (from undici or a socket) into a failure kind. */
export function classifyError(error: unknown): Failure {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err?.code ?? err?.cause?.code ?? '';
  const kind = CODES[code] ?? (TLS_CODE.test(code) ? 'tls' : 'other');
  const message = `${code ? `${code}: ` : ''}${err?.message ?? String(error)}`;
  return { kind, message };
}
