import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `condition` every `everyMs` until it holds, and throws if it still does not after
 * `timeoutMs`: a test waits for what it asserts instead of sleeping a fixed time, so a busy
 * machine makes it slower, never wrong. The deadline is generous on purpose: it only bounds a
 * test whose behaviour broke.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = 20_000, everyMs = 20 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`still not true after ${timeoutMs} ms: ${what}`);
    await sleep(everyMs);
  }
}
