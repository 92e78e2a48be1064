/** What a command asks a job for, resolved from its flags (src/cli) and checked there. */
import type { LoadPlan } from '../load/index.js';
import type { MetricsRequest } from '../monitor/index.js';
import type { Target } from '../targets/index.js';

/** A load run as a command line asks for it, checked as a whole. */
export interface LoadRequest {
  readonly plan: Omit<LoadPlan, 'host'> & { readonly host: string | undefined };
  readonly scenarioFile: string | undefined;
  /** True when the scenario is the bundled one (it is type-checked by this repository's CI). */
  readonly bundledScenario: boolean;
  readonly workers: number;
  readonly graceMs: number;
  readonly json: string | undefined;
  readonly csv: string | undefined;
  /** Where the HTML report goes, if anywhere. */
  readonly html: string | undefined;
  readonly typecheck: boolean;
  readonly quiet: boolean;
  /** Stop the run past this share of V8's heap limit (`--max-heap`). */
  readonly maxHeapShare: number;
  /** End the run when a task keeps the event loop this long (`--max-block`). */
  readonly maxBlockMs: number;
  /** Print the timing phases per endpoint. */
  readonly phases: boolean;
}

/** What the target flags ask for; null when a run has no targets. */
export interface TargetsRequest {
  readonly targets: readonly Target[];
  readonly windowMs: number | undefined;
  readonly abortOnFail: boolean;
  readonly abortDelayMs: number;
  readonly allowUnknown: boolean;
  readonly junit: string | undefined;
  readonly healthPath: string;
  readonly metricsPath: string;
}

/** A run split across agents coordinated through Redis (--coordinator). */
export interface DistributedRequest {
  readonly redisUrl: string;
  readonly instances: number;
  readonly run: string | undefined;
  readonly readyTimeoutMs: number;
  readonly heartbeatTimeoutMs: number;
}

/** How the service is profiled under the load (`profile`, `run --profile`). */
export interface ProfileRequest {
  readonly warmupMs: number;
  readonly samplingIntervalUs: number;
  readonly heap: boolean;
  readonly heapEveryMs: number;
  readonly heapSnapshots: number;
  readonly top: number;
  /** The profile folder. */
  readonly out: string;
  /** The inspector of the service at --host; the embedded FIML's without --host. */
  readonly inspect: string | undefined;
  readonly allowRemoteInspector: boolean;
}

export type { MetricsRequest };
