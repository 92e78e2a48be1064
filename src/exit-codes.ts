/**
 * Exit codes of every command, in one place (as k6's errext/exitcodes). When several apply, the
 * first in this order wins: instanceLost, interrupted, profileFailed, failed. docs/errors.md
 * explains each; a test keeps the two in step.
 */
export const EXIT = {
  /** Everything went as asked. */
  ok: 0,
  /**
   * The run completed but a target was missed or a regression found; or, in a run without
   * targets, a request failed (Locust's default; `--exit-code-on-error` picks another code).
   */
  failed: 1,
  /** The user's input or environment is wrong; a one-line message says how to fix it. */
  usage: 2,
  /**
   * A distributed run lost an agent (no heartbeat for --heartbeat-timeout), the coordinator or
   * Redis: the others were stopped (or stopped themselves) and the result, written, is partial.
   */
  instanceLost: 3,
  /**
   * The load ran and its result was written, but the profile of the service failed (the service
   * or its inspector went away during the window): the profile folder says why.
   */
  profileFailed: 4,
  /** A bug in fiml-perf: printed with its stack; please report it. */
  bug: 70,
  /** Stopped early by Ctrl-C or SIGTERM (once or twice); the result so far was written. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
