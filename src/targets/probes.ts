import { Agent, type Dispatcher, request } from 'undici';
import { type ClientConfig, tlsTrust } from '../util/client-config.js';
import { Scrape } from './prometheus.js';

/**
 * What the side requests of a run (health probes, metric scrapes) go out on: with the run's TLS
 * settings (`--insecure`, `--ca`, `--cert`), so an https service is probed as it is loaded; the
 * default dispatcher when there are none. Close it when done.
 */
export function serviceDispatcher(client: ClientConfig | undefined): Agent | undefined {
  if (!client?.insecure && !client?.ca && !client?.cert) return undefined;
  return new Agent({ connect: tlsTrust(client) });
}

/** GETs a URL; the status, or why it failed. */
export async function get(
  url: string,
  timeoutMs: number,
  dispatcher?: Dispatcher,
): Promise<{ status: number; body: string } | { error: string }> {
  try {
    const response = await request(url, {
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
      ...(dispatcher ? { dispatcher } : {}),
    });
    return { status: response.statusCode, body: await response.body.text() };
  } catch (error) {
    const err = error as Error & { code?: string };
    return { error: err.code ?? err.name ?? err.message };
  }
}

/**
 * Probes a health URL every `intervalMs` while a run goes on: a probe counts as up when it
 * answers 2xx within `timeoutMs`. One probe at a time; a slow one delays the next.
 */
export class HealthProber {
  readonly #probes: { at: number; ok: boolean }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;

  constructor(
    readonly url: string,
    readonly intervalMs = 1000,
    readonly timeoutMs = 2000,
    private readonly dispatcher?: Dispatcher,
  ) {}

  /** One probe now: null when healthy, else what is wrong. */
  async check(): Promise<string | null> {
    const answer = await get(this.url, this.timeoutMs, this.dispatcher);
    if ('error' in answer) return `${this.url} did not answer (${answer.error})`;
    return answer.status >= 200 && answer.status < 300
      ? null
      : `${this.url} answered ${answer.status}`;
  }

  start(): void {
    const probe = () => {
      if (this.#inFlight) return;
      const at = Date.now();
      this.#inFlight = this.check().then((problem) => {
        this.#probes.push({ at, ok: problem === null });
        this.#inFlight = undefined;
      });
    };
    probe();
    this.#timer = setInterval(probe, this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#inFlight;
  }

  /** Probes started in [from, to) (ms since the epoch); all of them by default. */
  count(from = 0, to = Infinity): { ok: number; total: number } {
    let ok = 0;
    let total = 0;
    for (const p of this.#probes) {
      if (p.at < from || p.at >= to) continue;
      total++;
      if (p.ok) ok++;
    }
    return { ok, total };
  }
}

/** Scrapes Prometheus metrics: the scrape, or why there is none. */
export async function scrapeMetrics(
  url: string,
  timeoutMs = 5000,
  dispatcher?: Dispatcher,
): Promise<Scrape | string> {
  const at = Date.now();
  const answer = await get(url, timeoutMs, dispatcher);
  if ('error' in answer) return `no Prometheus metrics: ${url} did not answer (${answer.error})`;
  if (answer.status !== 200) return `no Prometheus metrics: ${url} answered ${answer.status}`;
  try {
    return Scrape.parse(answer.body, at);
  } catch (error) {
    return `no Prometheus metrics at ${url}: ${(error as Error).message}`;
  }
}
