/**
 * A command's run, end to end: one file a job, all inside one lifecycle (lifecycle.ts). Each job
 * is loaded when it runs, so a command pays only for its own (`--help` and a wrong flag load
 * none of them).
 */

import type { ComparisonReport } from '../regress/index.js';
import type { AbJob } from './ab.js';
import type { AgentJob } from './agent.js';
import type { BenchJob } from './bench.js';
import type { K8sJob } from './k8s.js';
import type { LoadJob } from './load.js';
import type { BenchmarkProfileOptions } from './profile.js';
import type { RunJob } from './run.js';
import type { ServeJob } from './serve.js';
import type { StressJob } from './stress.js';
import type { TrendJob } from './trend.js';
import type { UiJob } from './ui.js';

export type { AbJob } from './ab.js';
export type { AgentJob } from './agent.js';
export type { BenchJob } from './bench.js';
export type { K8sJob } from './k8s.js';
export type { Lifecycle, LifecycleOptions, Service, ServiceRequest } from './lifecycle.js';
export type { LoadJob, LoadOutcome } from './load.js';
export type { BenchmarkProfileOptions } from './profile.js';
export type {
  DistributedRequest,
  LoadRequest,
  MetricsRequest,
  ProfileRequest,
  TargetsRequest,
} from './requests.js';
export type { RunJob } from './run.js';
export type { ServeJob } from './serve.js';
export type { StressJob } from './stress.js';
export type { TrendJob } from './trend.js';
export type { UiJob } from './ui.js';

/** `load` and `targets`: a load run, its targets, its files. */
export const runLoadJob = async (job: LoadJob) => (await import('./load.js')).runLoadJob(job);

/** `run`, the main job: the load job into a report folder, `latest` pointed at it. */
export const runRunJob = async (job: RunJob) => (await import('./run.js')).runRunJob(job);

/** `stress KIND`. */
export const runStressJob = async (job: StressJob) =>
  (await import('./stress.js')).runStressJob(job);

/** `ui` and `load --ui`. */
export const runUiJob = async (job: UiJob) => (await import('./ui.js')).runUiJob(job);

/** `agent`. */
export const runAgentJob = async (job: AgentJob) => (await import('./agent.js')).runAgentJob(job);

/** `profile --diff A B`. */
export const runProfileDiff = async (
  dirs: readonly string[],
  out: string | undefined,
  top: number,
) => (await import('./profile.js')).runProfileDiff(dirs, out, top);

/** `profile --target NAME [FILTER...]`. */
export const runTargetProfile = async (
  target: string,
  filters: readonly string[],
  options: BenchmarkProfileOptions,
) => (await import('./profile.js')).runTargetProfile(target, filters, options);

/** `bench --profile`: benchmarks profiled in this process instead of measured. */
export const runBenchProfile = async (
  dir: string,
  filters: readonly string[],
  options: BenchmarkProfileOptions,
) => (await import('./profile.js')).runBenchProfile(dir, filters, options);

/** `bench`: the benchmarks measured and kept. */
export const runBenchJob = async (job: BenchJob) => (await import('./bench.js')).runBenchJob(job);

/** `compare` and `ab`: the table printed, Markdown and JSON written, the verdict as exit code. */
export const reportComparison = async (
  comparison: ComparisonReport,
  options: Parameters<typeof import('./compare.js').reportComparison>[1],
) => (await import('./compare.js')).reportComparison(comparison, options);

/** `ab`: the working tree against a git ref. */
export const runAbJob = async (job: AbJob) => (await import('./ab.js')).runAbJob(job);

/** `serve`: FIML until Ctrl-C. */
export const runServeJob = async (job: ServeJob) => (await import('./serve.js')).runServeJob(job);

/** `k8s`: the manifests of a distributed run. */
export const runK8sJob = async (job: K8sJob) => (await import('./k8s.js')).runK8sJob(job);

/** `check`: a scenario type-checked and loaded, its classes and task shares printed. */
export const runCheckJob = async (file: string, print: (line: string) => void) =>
  (await import('./check.js')).runCheckJob(file, print);

/** `trend`: drift and change points across saved benchmark runs. */
export const runTrendJob = async (job: TrendJob) => (await import('./trend.js')).runTrendJob(job);
