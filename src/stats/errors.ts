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
  /** Where a task's exception was thrown: its stack's frames (Locust's `_exceptions.csv`). */
  readonly traceback?: string;
}

/** One distinct message of an error group, with how many errors had it. */
export interface ErrorMessage {
  readonly message: string;
  count: number;
  /** The first traceback seen with this message (exceptions only). */
  readonly traceback?: string;
}

/** One group of errors in a result: same kind, request and status, with one sample message. */
export interface ErrorGroup {
  readonly kind: FailureKind;
  readonly method: string;
  readonly name: string;
  readonly status: number | null;
  count: number;
  /** The group's first message. */
  readonly message: string;
  /**
   * Its distinct messages with their counts, largest first (as Locust's `_failures.csv` lists
   * them). A result written before they were kept has none: `message` stands for them all.
   */
  readonly messages?: readonly ErrorMessage[];
  /** Errors of the group whose message was new once the table held `maxMessages` messages. */
  readonly otherMessages?: number;
}

/** The longest sample message kept: a check may return a whole body as its reason. */
const MAX_MESSAGE = 300;
/** The longest traceback kept: a few dozen frames. */
const MAX_TRACEBACK = 4000;

const clip = (message: string, max = MAX_MESSAGE) =>
  message.length > max ? `${message.slice(0, max - 3)}...` : message;

/** How many distinct messages a table keeps over all its groups (as `--max-names` names). */
export const MAX_ERROR_MESSAGES = 1000;

interface Group extends Omit<ErrorGroup, 'messages' | 'otherMessages'> {
  readonly messages: Map<string, ErrorMessage>;
  otherMessages: number;
}

/**
 * Errors grouped by kind, request and status, each with its distinct messages; bounded, so a
 * storm of distinct ones stays small: at most `maxGroups` groups and `maxMessages` messages over
 * all of them (a group keeps its first message past that; the rest count as `otherMessages`).
 */
export class ErrorTable {
  private readonly groups = new Map<string, Group>();
  private messageCount = 0;
  /** Errors whose group could not be kept because the table was full. */
  overflow = 0;

  constructor(
    private readonly maxGroups = 500,
    private readonly maxMessages = MAX_ERROR_MESSAGES,
  ) {}

  add(method: string, name: string, failure: Failure, count = 1): void {
    const status = failure.status ?? null;
    const key = `${failure.kind}\u0000${method}\u0000${name}\u0000${status}`;
    let group = this.groups.get(key);
    if (!group) {
      if (this.groups.size >= this.maxGroups) {
        this.overflow += count;
        return;
      }
      group = {
        kind: failure.kind,
        method,
        name,
        status,
        count: 0,
        message: clip(failure.message),
        messages: new Map(),
        otherMessages: 0,
      };
      this.groups.set(key, group);
    }
    group.count += count;
    const message = clip(failure.message);
    const known = group.messages.get(message);
    if (known) known.count += count;
    // A new group always keeps its first message, so every group has one to show.
    else if (this.messageCount < this.maxMessages || group.messages.size === 0) {
      this.messageCount++;
      group.messages.set(message, {
        message,
        count,
        ...(failure.traceback ? { traceback: clip(failure.traceback, MAX_TRACEBACK) } : {}),
      });
    } else group.otherMessages += count;
  }

  /** Adds a group another table listed (a worker's), with its messages. */
  addGroup(group: ErrorGroup): void {
    const base = { kind: group.kind, status: group.status ?? undefined };
    const messages = group.messages ?? [{ message: group.message, count: group.count }];
    let counted = 0;
    for (const m of messages) {
      this.add(
        group.method,
        group.name,
        { ...base, message: m.message, traceback: m.traceback },
        m.count,
      );
      counted += m.count;
    }
    if (group.count > counted) this.#addOther(group, group.count - counted);
  }

  /** Errors whose messages the other table did not keep: past the bound here too. */
  #addOther(group: ErrorGroup, count: number): void {
    const key = `${group.kind}\u0000${group.method}\u0000${group.name}\u0000${group.status ?? null}`;
    const kept = this.groups.get(key);
    if (!kept) {
      this.overflow += count;
      return;
    }
    kept.count += count;
    kept.otherMessages += count;
  }

  /** Largest groups first, each with its messages largest first. */
  list(): ErrorGroup[] {
    return [...this.groups.values()]
      .map(({ messages, otherMessages, ...g }) => ({
        ...g,
        messages: [...messages.values()].map((m) => ({ ...m })).sort((a, b) => b.count - a.count),
        ...(otherMessages > 0 ? { otherMessages } : {}),
      }))
      .sort((a, b) => b.count - a.count);
  }

  clear(): void {
    this.groups.clear();
    this.messageCount = 0;
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
