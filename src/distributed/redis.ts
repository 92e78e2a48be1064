import type { Redis } from 'ioredis';
import { PerfError } from '../errors.js';
import { assertInstalled } from '../util/optional-deps.js';

/**
 * A connection to the run's Redis, checked now: an address that does not answer is one line and
 * exit 2, not a retry loop. Later drops reconnect (ioredis' default), so a blip does not end a run.
 * @param fix what the user should do, such as 'start Redis or fix --coordinator'
 */
export async function connectRedis(
  url: string,
  fix: string,
  /** Keep trying this long (an agent whose Redis starts beside it, in Kubernetes). @default 0 */
  patienceMs = 0,
  log?: (line: string) => void,
): Promise<Redis> {
  const deadline = Date.now() + patienceMs;
  for (let said = false; ; ) {
    try {
      return await connectOnce(url, fix);
    } catch (error) {
      if (Date.now() + 1000 > deadline || (error as PerfError).code !== 'FP_ERR_REDIS_UNREACHABLE')
        throw error;
      if (!said && log)
        log(
          `${(error as Error).message.split(';')[0]}: trying again for up to ${Math.round(patienceMs / 1000)}s`,
        );
      said = true;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function connectOnce(url: string, fix: string): Promise<Redis> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      `${url} is not a Redis URL; expected redis://HOST:6379`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      `${url} is not a Redis URL; expected redis://HOST:6379 (or rediss:// for TLS)`,
    );
  // ioredis is an optional package (issue 24): only distributed runs load it.
  assertInstalled('distributed');
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: null,
    // A command waits for a Redis that went away at most this long (then rejects), so a run
    // notices a lost Redis instead of waiting for it for ever; blocking reads block for 1 s.
    commandTimeout: 5000,
    // The first connection is tried a few times; once up, drops reconnect for as long as it takes.
    retryStrategy: (times) => Math.min(times * 200, 1000),
  });
  let failure: Error | undefined;
  const onError = (error: Error) => {
    failure = error;
  };
  redis.on('error', onError);
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => setTimeout(() => reject(failure ?? new Error('timeout')), 5000)),
    ]);
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const e = (failure ?? error) as NodeJS.ErrnoException;
    throw new PerfError(
      'FP_ERR_REDIS_UNREACHABLE',
      `cannot reach Redis at ${parsed.host} (${e.code ?? e.message}); ${fix}`,
    );
  }
  redis.off('error', onError);
  // Reconnection errors are handled where commands fail (a timeout); not printed each retry.
  redis.on('error', () => undefined);
  return redis;
}

/** A second connection to the same Redis (for blocking reads), errors handled as the first's. */
export function duplicateOf(redis: Redis): Redis {
  const copy = redis.duplicate();
  copy.on('error', () => undefined);
  return copy;
}

/**
 * This process's clock minus Redis' (ms), from the fastest of a few TIME round trips (half the
 * round trip is the error bound); instances compare times through it, so their clocks need not
 * agree.
 */
export async function clockOffset(redis: Redis): Promise<number> {
  let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
  for (let i = 0; i < 5; i++) {
    const before = Date.now();
    const [s, us] = (await redis.time()) as [string | number, string | number];
    const after = Date.now();
    const server = Number(s) * 1000 + Number(us) / 1000;
    if (after - before < best.rtt)
      best = { rtt: after - before, offset: (before + after) / 2 - server };
  }
  return best.offset;
}

/** Stream entries as ioredis returns them from XREAD: [[key, [[id, fields]...]]]. */
export type StreamReply = Array<[string, Array<[string, string[]]>]> | null;
