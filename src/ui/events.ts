/** What the UI sends its tabs: the state, a snapshot for a new tab, and each second's tick. */
import type {
  EndpointSecond,
  EndpointSeriesResult,
  ErrorGroup,
  LatencyMs,
  SecondRow,
} from '../stats/index.js';
import type { LiveTargets, TargetOutcome } from '../targets/index.js';
import type { StartInput } from './form.js';

/** Where the UI is: no test yet, one starting or running or stopping, or one finished. */
export type UiState = 'ready' | 'starting' | 'running' | 'stopping' | 'stopped';

/** A statistics table row: one endpoint (or the total) over the run so far. */
export interface EndpointRow {
  readonly key: string;
  readonly method: string;
  readonly name: string;
  readonly requests: number;
  readonly failures: number;
  /** Requests in the last second. */
  readonly currentRps: number;
  readonly latencyMs: LatencyMs;
}

/** A moment of the run drawn on the time charts (a change of users, a reset). */
export interface Mark {
  readonly t: number;
  readonly label: string;
}

/** The figures of one second, as the event stream sends them. */
export interface Tick {
  readonly runId: number;
  /** The second's row; null for a test that ended before its first second. */
  readonly row: SecondRow | null;
  readonly elapsedMs: number;
  /** Planned length; null when the test runs until stopped. */
  readonly durationMs: number | null;
  readonly users: number;
  readonly steering: { readonly users: number; readonly spawnRate: number; readonly rate: number };
  readonly total: EndpointRow;
  readonly table: readonly EndpointRow[];
  /** Each endpoint's figures in this second, for its line on the charts. */
  readonly seconds: Readonly<Record<string, EndpointSecond>>;
  readonly errors: readonly ErrorGroup[];
  readonly generator: {
    readonly cpuPercent: number;
    readonly loopLagMs: number;
    /** Why the figures may measure the generator rather than the service; empty when fine. */
    readonly saturation: readonly string[];
    readonly workers: ReadonlyArray<{ readonly users: number; readonly requests: number }>;
  };
  /** The targets judged on the run so far; null without targets. */
  readonly targets: readonly TargetOutcome[] | null;
  readonly service: LiveTargets['service'] | null;
  /** The latency histogram of the whole run so far. */
  readonly distribution: { readonly upperMs: number[]; readonly counts: number[] } | null;
}

/** What the UI knows of the current (or last) test. */
export interface RunView {
  readonly id: number;
  readonly host: string;
  readonly classes: readonly string[];
  readonly input: StartInput;
  readonly startedAt: string;
  readonly model: 'closed' | 'open';
  /** Latency targets, as lines on the latency chart. */
  readonly thresholds: ReadonlyArray<{ readonly label: string; readonly ms: number }>;
  readonly marks: readonly Mark[];
  readonly warnings: readonly string[];
  /** Why the test ended early, if it did (an error, not a stop). */
  readonly error: string | null;
  /** Once it ended: its exit code as `load` would give it, and whether files can be downloaded. */
  readonly ended: { readonly code: number; readonly passed: boolean | null } | null;
}

/** Everything a new tab needs: the state, the form, and the whole run so far. */
export interface Snapshot {
  readonly state: UiState;
  readonly version: string;
  readonly scenario: string;
  readonly classes: ReadonlyArray<{ readonly name: string; readonly weight: number }>;
  readonly defaultClasses: readonly string[];
  readonly defaultHost: string;
  readonly embedded: boolean;
  readonly defaults: StartInput;
  readonly workers: number;
  readonly run: RunView | null;
  readonly rows: readonly SecondRow[];
  readonly endpointSeries: Readonly<Record<string, EndpointSeriesResult>>;
  readonly latest: Tick | null;
}

/** A message to every open tab. */
export type UiEvent =
  | { readonly type: 'tick'; readonly data: Tick }
  | { readonly type: 'state'; readonly data: { state: UiState; run: RunView | null } }
  | { readonly type: 'snapshot'; readonly data: Snapshot };
