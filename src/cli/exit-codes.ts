/** Exit codes of every command, in one place (as k6's errext/exitcodes). */
export const EXIT = {
  /** Everything went as asked. */
  ok: 0,
  /** The run completed but a target was missed or a regression found. */
  failed: 1,
  /** The user's input or environment is wrong; a one-line message says how to fix it. */
  usage: 2,
  /**
   * A distributed run lost an agent (no heartbeat for --heartbeat-timeout) or the coordinator:
   * the others were stopped and the result, written, is partial.
   */
  instanceLost: 3,
  /** Ended by a second Ctrl-C. */
  interrupted: 130,
} as const;

/** Anything else (a bug) exits with this code and prints its stack. */
export const EXIT_BUG = 70;
