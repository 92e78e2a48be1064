import { request } from 'undici';
import { PerfError } from '../errors.js';
import { type ExecutorConfig, task, User, type UserClass } from '../load/index.js';
import type { ErrorGroup } from '../stats/index.js';
import { formatFigure, type TargetedResult, targetFromFlag } from '../targets/index.js';
import { type PhaseOptions, runPhase, type StressEnv, type StressOutcome } from './phase.js';

/** The fault injection route is missing or refused: the service was not started with it. */
export class FaultInjectionError extends PerfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FP_ERR_FAULTS', message, options);
    this.name = 'FaultInjectionError';
  }
}

const EQUITIES = ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'TSLA', 'NVDA', 'META', 'AMD'];
const CRYPTO = ['BTC', 'ETH', 'SOL', 'AVAX', 'LINK', 'UNI'];
export const CRYPTO_PROVIDERS = ['yahoo', 'ccxt', 'coingecko'];

/** Equity prices; with a short cache lifetime, most reach the providers. */
class EquityPriceUser extends User {
  static override tasks = [task(1, 'price')];
  async price() {
    await this.client.get('/mcp/tools/get_price', {
      query: { symbol: this.random.pick(EQUITIES) },
      name: 'equity price',
    });
  }
}

/** Crypto and equity prices, half each. */
class MixedPriceUser extends User {
  static override tasks = [task(1, 'crypto'), task(1, 'equity')];
  async crypto() {
    await this.client.get('/mcp/tools/get_price', {
      query: { symbol: this.random.pick(CRYPTO) },
      name: 'crypto price',
    });
  }
  async equity() {
    await this.client.get('/mcp/tools/get_price', {
      query: { symbol: this.random.pick(EQUITIES) },
      name: 'equity price',
    });
  }
}

/** Deep analysis, which runs as tasks in FIML's pool. */
class AnalysisUser extends User {
  static override tasks = [task(1, 'sentiment'), task(1, 'narrative')];
  async sentiment() {
    await this.client.get('/mcp/tools/analyze_sentiment', {
      query: { symbol: this.random.pick(EQUITIES) },
      name: 'sentiment',
    });
  }
  async narrative() {
    await this.client.get('/mcp/tools/generate_narrative', {
      query: { symbol: this.random.pick(EQUITIES), style: 'concise' },
      name: 'narrative',
    });
  }
}

/**
 * The last 1 to 48 hourly bars of a symbol: with the short cache lifetime of the faults' FIML,
 * most are cache misses that FIML reads from its database with its history query (the statement
 * the missing-index fault slows down). Few rows each, so the index, not the rows sent, decides.
 */
class IntradayUser extends User {
  static override tasks = [task(1, 'intraday')];
  async intraday() {
    await this.client.get('/mcp/tools/get_market_data', {
      query: {
        symbol: this.random.pick([...EQUITIES, ...CRYPTO]),
        intraday_hours: String(this.random.int(1, 48)),
      },
      name: 'intraday bars',
    });
  }
}

async function admin(
  host: string,
  method: 'GET' | 'POST' | 'DELETE',
  body?: unknown,
): Promise<unknown> {
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(`${host}/admin/faults`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new FaultInjectionError(`cannot reach ${host}/admin/faults: ${(error as Error).message}`);
  }
  const text = await response.body.text();
  if (response.statusCode === 404)
    throw new FaultInjectionError(
      `${host} has no fault injection (404 on /admin/faults): start it with 'fiml-perf serve --enable-fault-injection', or drop --host`,
    );
  if (response.statusCode !== 200)
    throw new FaultInjectionError(
      `${host}/admin/faults answered ${response.statusCode}: ${text.slice(0, 200)}`,
    );
  return JSON.parse(text) as unknown;
}

/** One expectation of a fault scenario: what should hold, what was seen, whether it held. */
export interface Check {
  readonly expect: string;
  readonly observed: string;
  readonly held: boolean;
}

export interface ScenarioReport {
  readonly name: string;
  readonly fault: string;
  readonly verdict: 'pass' | 'fail' | 'skipped';
  readonly reason: string | null;
  readonly checks: readonly Check[];
  readonly phases: readonly {
    readonly label: string;
    readonly requests: number;
    readonly failures: number;
    readonly errors: readonly ErrorGroup[];
  }[];
}

export interface FaultsSection {
  readonly kind: 'faults';
  readonly scenarios: readonly ScenarioReport[];
  readonly verdict: 'pass' | 'fail';
}

export interface FaultsOptions {
  /** Arrival rate of each phase, iterations a second. */
  readonly rate: number;
  /** Length of each phase. */
  readonly phaseMs: number;
  /** Connections opened at once by the pool-exhaustion flood. @default 1000 */
  readonly floodConnections: number;
  /** Run only the scenarios whose names contain one of these. */
  readonly only: readonly string[];
}

interface PhaseExtra {
  readonly targets?: PhaseOptions['targets'];
  readonly workload?: PhaseOptions['workload'];
  readonly executor?: ExecutorConfig;
}

interface Context {
  readonly env: StressEnv;
  readonly options: FaultsOptions;
  /** Runs one counted phase (the scenario's rate for --phase) and records it. */
  phase(label: string, classes: readonly UserClass[], extra?: PhaseExtra): Promise<TargetedResult>;
}

interface FaultScenario {
  readonly name: string;
  readonly fault: string;
  run(context: Context): Promise<{ checks: Check[]; skipped?: string }>;
}

const rateOf = (r: { requests: number; failures: number }) =>
  r.requests === 0 ? 0 : r.failures / r.requests;
const pct = (x: number | null) => (x === null ? 'n/a' : formatFigure('rate', x));
const check = (expect: string, observed: string, held: boolean): Check => ({
  expect,
  observed,
  held,
});
const endpointLatency = (
  result: TargetedResult,
  name: string,
  figure: 'p50' | 'p99',
): number | null => result.endpoints.find((e) => e.name === name)?.latencyMs[figure] ?? null;
/** FIML's history query (a read of market_bars) in a phase's database view. */
const historyStatement = (result: TargetedResult) =>
  result.database?.statements.find((s) => /\bFROM market_bars\b/.test(s.query) && s.calls > 0);

/** A statement short enough for a line, its columns elided: `SELECT … FROM t WHERE ...`. */
const shortQuery = (query: string) => {
  const short = query.replace(/\s+/g, ' ').replace(/^SELECT .*? FROM /, 'SELECT … FROM ');
  return short.length > 100 ? `${short.slice(0, 99)}…` : short;
};
const fmtMs = (ms: number | null) => (ms === null ? 'n/a' : `${ms.toFixed(1)} ms`);
const endpoint = (result: TargetedResult, name: string) =>
  result.endpoints.find((e) => e.name === name) ?? { requests: 0, failures: 0 };
/** Failures that are not clean answers: no answer in time, a reset or refused connection. */
const unclean = (result: TargetedResult, name?: string) =>
  result.errors
    .filter(
      (e) => (name === undefined || e.name === name) && e.kind !== 'http' && e.kind !== 'check',
    )
    .reduce((n, e) => n + e.count, 0);
const statuses = (result: TargetedResult, name: string) =>
  [
    ...new Set(
      result.errors.filter((e) => e.name === name && e.status !== null).map((e) => e.status),
    ),
  ].sort();

export const FAULT_SCENARIOS: readonly FaultScenario[] = [
  {
    name: 'provider-down',
    fault: 'yahoo (the first equity provider) is down',
    async run({ env, phase }) {
      await admin(env.host, 'POST', { provider_outages: ['yahoo'] });
      const result = await phase('yahoo down', [EquityPriceUser]);
      const yahoo = result.service.providers.yahoo ?? null;
      const others = Object.entries(result.service.providers).filter(
        ([name, up]) => name !== 'yahoo' && up !== null,
      );
      return {
        checks: [
          check(
            'get_price keeps succeeding through the fallback (error rate < 1%)',
            `error rate ${pct(rateOf(result.totals))} of ${result.totals.requests}`,
            rateOf(result.totals) < 0.01 && result.totals.requests > 0,
          ),
          check(
            "yahoo's provider uptime drops below 99%",
            `yahoo ${pct(yahoo)}`,
            yahoo !== null && yahoo < 0.99,
          ),
          check(
            'the other providers stay at 99% or more',
            others.map(([n, up]) => `${n} ${pct(up)}`).join(', ') || 'no other provider called',
            others.length > 0 && others.every(([, up]) => (up as number) >= 0.99),
          ),
        ],
      };
    },
  },
  {
    name: 'asset-type-down',
    fault: `every crypto provider (${CRYPTO_PROVIDERS.join(', ')}) is down`,
    async run({ env, phase }) {
      await admin(env.host, 'POST', { provider_outages: CRYPTO_PROVIDERS });
      const down = await phase('crypto providers down', [MixedPriceUser]);
      await admin(env.host, 'DELETE');
      const after = await phase('after clearing', [MixedPriceUser]);
      const crypto = endpoint(down, 'crypto price');
      const equity = endpoint(down, 'equity price');
      const cryptoStatuses = statuses(down, 'crypto price');
      const serverErrors = down.errors
        .filter((e) => e.status !== null && e.status >= 500 && e.status !== 503)
        .reduce((n, e) => n + e.count, 0);
      return {
        checks: [
          check(
            'crypto prices fail cleanly: 503 answers, no timeouts or resets',
            `${crypto.failures} of ${crypto.requests} failed, statuses ${cryptoStatuses.join(', ') || 'none'}, ${unclean(down, 'crypto price')} unclean`,
            crypto.failures > 0 &&
              unclean(down, 'crypto price') === 0 &&
              cryptoStatuses.every((s) => s === 503),
          ),
          check(
            'no 5xx storm: no 500s, other asset types unaffected (equity error rate < 1%)',
            `${serverErrors} other 5xx, equity error rate ${pct(rateOf(equity))}`,
            serverErrors === 0 && rateOf(equity) < 0.01,
          ),
          check(
            'recovery after clearing: crypto error rate < 1%',
            `crypto error rate ${pct(rateOf(endpoint(after, 'crypto price')))}`,
            rateOf(endpoint(after, 'crypto price')) < 0.01 &&
              endpoint(after, 'crypto price').requests > 0,
          ),
        ],
      };
    },
  },
  {
    name: 'l2-cache-down',
    fault: 'every L2 (Redis) operation fails',
    async run({ env, phase }) {
      if (!(await hasL2(env.host)))
        return {
          checks: [],
          skipped: 'the service runs without an L2 cache (start it with --redis URL)',
        };
      await admin(env.host, 'POST', { l2_cache_failure: true });
      const result = await phase('L2 down', [EquityPriceUser]);
      return {
        checks: [
          check(
            'requests keep succeeding on L1 and the providers (error rate < 1%)',
            `error rate ${pct(rateOf(result.totals))} of ${result.totals.requests}`,
            rateOf(result.totals) < 0.01 && result.totals.requests > 0,
          ),
          check(
            'the cache hit rate is reported (L1 keeps serving)',
            `cache hit rate ${pct(result.service.cacheHitRate)}`,
            result.service.cacheHitRate !== null && result.service.cacheHitRate > 0,
          ),
        ],
      };
    },
  },
  {
    name: 'missing-index',
    fault: "the index of FIML's history query is dropped, then created again",
    async run({ env, phase }) {
      const state = (await admin(env.host, 'GET')) as { history_index_missing?: boolean | null };
      if (typeof state.history_index_missing !== 'boolean')
        return {
          checks: [],
          skipped: 'the service has no database (start it with --database embedded or a URL)',
        };
      const present = await phase('index present', [IntradayUser]);
      await admin(env.host, 'POST', { history_index_missing: true });
      const missing = await phase('index missing', [IntradayUser]);
      await admin(env.host, 'POST', { history_index_missing: false });
      const restored = await phase('index restored', [IntradayUser]);
      const database = missing.database;
      const scan = database?.statements.find(
        (s) =>
          /\bmarket_bars\b/.test(s.query) &&
          s.costliest?.nodeType === 'Seq Scan' &&
          /market_bars$/.test(s.costliest.relation ?? ''),
      );
      const fix = database?.suggestions.find(
        (s) => /market_bars$/.test(s.table) && s.columns[0] === 'asset_id',
      );
      const p50 = (r: TargetedResult) => endpointLatency(r, 'intraday bars', 'p50');
      const p99 = (r: TargetedResult) => endpointLatency(r, 'intraday bars', 'p99');
      // The endpoint's time is also the providers' (a quote each request) and, on a busy
      // machine, its queueing: the statement's own mean time in the database is what the index
      // decides (about 30 times apart), so the checks read it; the endpoint's figures are shown.
      const mean = (r: TargetedResult) => historyStatement(r)?.meanMs ?? null;
      const [withIndex, without, back] = [mean(present), mean(missing), mean(restored)];
      const slower = withIndex !== null && without !== null && without >= withIndex * 3;
      const means = `the history statement's mean ${fmtMs(withIndex)} with the index, ${fmtMs(without)} without, ${fmtMs(back)} restored; the endpoint's median ${fmtMs(p50(present))}, ${fmtMs(p50(missing))}, ${fmtMs(p50(restored))} (p99 ${fmtMs(p99(present))}, ${fmtMs(p99(missing))}, ${fmtMs(p99(restored))})`;
      return {
        checks: [
          check(
            'the database view names the history statement and its sequential scan on market_bars',
            scan
              ? `${shortQuery(scan.query)}: ${scan.calls} calls, ${Math.round(scan.share * 100)}% of the database's time, costliest node Seq Scan`
              : database
                ? `no statement on market_bars with a sequential scan among ${database.statements.length}`
                : 'no database view of the phase (is the service the embedded FIML, or --postgres given?)',
            scan !== undefined,
          ),
          check(
            'it suggests the index that fixes it',
            fix ? fix.ddl : 'no index suggested on market_bars',
            fix !== undefined,
          ),
          check(
            'without the index the history statement is slower (its mean at least 3 times that with it)',
            means,
            slower,
          ),
          check(
            'restoring the index restores its latency (its mean back under a third of that without)',
            means,
            slower && back !== null && back < without! / 3,
          ),
        ],
      };
    },
  },
  {
    name: 'task-failures',
    fault: 'one task in five fails',
    async run({ env, phase }) {
      await admin(env.host, 'POST', { task_failure_rate: 0.2 });
      const result = await phase('task failures', [AnalysisUser], {
        targets: [targetFromFlag('task_completion_rate > 95%', 'task completion rate')],
      });
      const [completion] = result.targets.outcomes;
      return {
        checks: [
          check(
            'the task completion target (> 95%) fails, as it should',
            `${completion?.actual ?? 'unknown'} (${completion?.detail ?? ''}): ${completion?.verdict ?? 'unknown'}`,
            completion?.verdict === 'fail',
          ),
          check(
            'failed tasks are clean errors (no timeouts or resets)',
            `${unclean(result)} unclean of ${result.totals.failures} failures`,
            unclean(result) === 0,
          ),
        ],
      };
    },
  },
  {
    name: 'pool-exhaustion',
    fault: 'far more connections than the service accepts',
    async run({ env, options, phase }) {
      const flood = await phase('flood', [], {
        workload: {
          kind: 'quick',
          url: `${env.host}/health`,
          method: 'GET',
          headers: {},
          body: undefined,
        },
        executor: {
          type: 'constant-users',
          users: options.floodConnections,
          spawnRate: options.floodConnections * 10,
          durationMs: options.phaseMs,
        },
      });
      const timeouts = flood.errors
        .filter((e) => e.kind === 'timeout')
        .reduce((n, e) => n + e.count, 0);
      const after = await phase('after the flood', [EquityPriceUser]);
      return {
        checks: [
          check(
            'the service keeps answering the connections it accepts',
            `${flood.totals.requests - flood.totals.failures} of ${flood.totals.requests} answered`,
            flood.totals.requests > flood.totals.failures,
          ),
          check(
            'excess connections are refused or closed at once, not left hanging (no timeouts)',
            `${flood.totals.failures} refused or closed (${summarize(flood.errors)}), ${timeouts} timeouts`,
            timeouts === 0,
          ),
          check(
            'recovery afterwards: error rate < 1%',
            `error rate ${pct(rateOf(after.totals))} of ${after.totals.requests}`,
            rateOf(after.totals) < 0.01 && after.totals.requests > 0,
          ),
        ],
      };
    },
  },
];

/** Whether FIML runs with an L2 cache (its /health/cache says so). */
async function hasL2(host: string): Promise<boolean> {
  try {
    const response = await request(`${host}/health/cache`);
    const body = (await response.body.json()) as { l2?: { enabled?: boolean } };
    return body.l2?.enabled === true;
  } catch {
    return false;
  }
}

function summarize(errors: readonly ErrorGroup[]): string {
  const byKind = new Map<string, number>();
  for (const e of errors) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + e.count);
  return [...byKind].map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
}

/**
 * Runs the fault scenarios against a FIML started with fault injection: each sets its fault,
 * runs counted phases, checks its expectations, and clears the fault whatever happened.
 * @throws FaultInjectionError when the service has no fault injection
 */
export async function runFaults(
  env: StressEnv,
  options: FaultsOptions,
): Promise<StressOutcome<FaultsSection>> {
  await admin(env.host, 'GET');
  const chosen = FAULT_SCENARIOS.filter(
    (s) => options.only.length === 0 || options.only.some((o) => s.name.includes(o)),
  );
  if (chosen.length === 0)
    throw new FaultInjectionError(
      `--only ${options.only.join(', ')} matches no fault scenario; they are: ${FAULT_SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  const reports: ScenarioReport[] = [];
  let last: TargetedResult | undefined;
  const lines: string[] = [];
  for (const scenario of chosen) {
    if (env.stop?.aborted) break;
    const phases: ScenarioReport['phases'][number][] = [];
    const context: Context = {
      env,
      options,
      phase: async (label, classes, extra = {}) => {
        env.note(`  ${scenario.name}: ${label}`);
        const { result } = await runPhase(
          { ...env, classes, scenarioFile: `fiml-perf stress faults (${scenario.name})` },
          extra.executor ?? {
            type: 'constant-arrival-rate',
            rate: options.rate,
            durationMs: options.phaseMs,
            maxUsers: env.maxUsers,
          },
          {
            label: `faults ${scenario.name}: ${label}`,
            targets: extra.targets,
            workload: extra.workload,
          },
        );
        phases.push({
          label,
          requests: result.totals.requests,
          failures: result.totals.failures,
          errors: result.errors,
        });
        last = result;
        return result;
      },
    };
    env.note(`Fault scenario ${scenario.name}: ${scenario.fault}`);
    let outcome: { checks: Check[]; skipped?: string };
    // A fault that cannot be set or cleared (the service restarted, its admin route gone) fails
    // this scenario and ends the suite; the scenarios before it, and their load, are kept.
    let broken: string | undefined;
    try {
      outcome = await scenario.run(context);
    } catch (error) {
      if (!(error instanceof PerfError)) throw error;
      broken = error.message;
      outcome = {
        checks: [{ expect: 'the fault is set and cleared', observed: broken, held: false }],
      };
    }
    try {
      await admin(env.host, 'DELETE');
    } catch (error) {
      if (!(error instanceof PerfError)) throw error;
      broken ??= error.message;
      outcome.checks.push({
        expect: 'the faults are cleared',
        observed: error.message,
        held: false,
      });
    }
    const verdict = outcome.skipped
      ? 'skipped'
      : outcome.checks.every((c) => c.held)
        ? 'pass'
        : 'fail';
    reports.push({
      name: scenario.name,
      fault: scenario.fault,
      verdict,
      reason: outcome.skipped ?? null,
      checks: outcome.checks,
      phases,
    });
    lines.push(
      `${scenario.name} (${scenario.fault}): ${verdict.toUpperCase()}${outcome.skipped ? `: ${outcome.skipped}` : ''}`,
    );
    for (const c of outcome.checks)
      lines.push(`  ${c.held ? 'ok  ' : 'FAIL'} ${c.expect}: ${c.observed}`);
    if (broken) {
      lines.push(`Stopped after ${scenario.name}: ${broken}`);
      break;
    }
  }
  const passed =
    reports.every((r) => r.verdict !== 'fail') && reports.some((r) => r.verdict === 'pass');
  const section: FaultsSection = {
    kind: 'faults',
    scenarios: reports,
    verdict: passed ? 'pass' : 'fail',
  };
  if (!last)
    throw new FaultInjectionError(
      `no fault scenario ran: ${reports.map((r) => `${r.name} skipped (${r.reason})`).join('; ') || 'stopped before the first'}`,
    );
  return {
    result: { ...last, stress: section },
    passed,
    lines: [
      ...lines,
      `Verdict: ${passed ? 'PASS' : 'FAIL'} (${reports.filter((r) => r.verdict === 'pass').length} passed, ${reports.filter((r) => r.verdict === 'fail').length} failed, ${reports.filter((r) => r.verdict === 'skipped').length} skipped)`,
    ],
  };
}
