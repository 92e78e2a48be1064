import { type LinearFit, linearFit } from '../stats/index.js';
import {
  type FigureSource,
  formatFigure,
  resolveFigure,
  ServiceFigures,
} from '../targets/index.js';
import { runPhase, type StressEnv, type StressOutcome } from './phase.js';

export interface EnduranceOptions {
  readonly normalRate: number;
  readonly durationMs: number;
  /** Length of the windows the trends are fitted over. @default duration / 20, 5 s at least */
  readonly windowMs?: number;
  /** Degrading when the fitted p95 grows more than this over the run. @default 0.2 */
  readonly maxP95Growth: number;
  /** Degrading when the fitted error rate grows more than this (points) over the run. @default 0.01 */
  readonly maxErrorGrowth: number;
  /** Leaking when the fitted memory grows more than this over the run. @default 0.1 */
  readonly maxMemoryGrowth: number;
}

/** A fitted trend: per hour, with its 95% interval, and the change it makes over the run. */
export interface Trend {
  readonly perHour: number;
  readonly low: number;
  readonly high: number;
  readonly start: number;
  readonly end: number;
  readonly points: number;
}

export type EnduranceVerdict = 'stable' | 'degrading' | 'leaking';

export interface EnduranceSection {
  readonly kind: 'endurance';
  readonly rate: number;
  readonly windowS: number;
  readonly windows: readonly {
    readonly from: number;
    readonly to: number;
    readonly p95Ms: number | null;
    readonly errorRate: number | null;
    readonly rssMb: number | null;
  }[];
  readonly p95Ms: Trend | null;
  readonly errorRate: Trend | null;
  readonly rssMb: Trend | null;
  readonly verdict: EnduranceVerdict;
  readonly reasons: readonly string[];
}

function trend(x: number[], y: (number | null)[], t0: number, t1: number): Trend | null {
  const xs: number[] = [];
  const ys: number[] = [];
  y.forEach((v, i) => {
    if (v !== null) {
      xs.push(x[i] as number);
      ys.push(v);
    }
  });
  if (xs.length < 3) return null;
  const fit: LinearFit = linearFit(xs, ys);
  const hour = 3600;
  return {
    perHour: fit.slope * hour,
    low: fit.low * hour,
    high: fit.high * hour,
    start: fit.intercept + fit.slope * t0,
    end: fit.intercept + fit.slope * t1,
    points: fit.points,
  };
}

const value = (source: FigureSource, figure: string): number | null => {
  const f = resolveFigure(source, { scope: 'run', figure });
  return f.known ? f.value : null;
};

/**
 * Endurance: the normal load sustained (1 h by default); fits the trend of p95, error rate and
 * the service's resident memory over windows, each with a 95% interval. Degrading when p95 or
 * errors grow significantly (interval above 0) and by more than the allowance over the run;
 * leaking when memory does.
 */
export async function runEndurance(
  env: StressEnv,
  options: EnduranceOptions,
): Promise<StressOutcome<EnduranceSection>> {
  const windowMs = options.windowMs ?? Math.max(5000, Math.round(options.durationMs / 20));
  env.note(
    `Endurance: ${options.normalRate}/s for ${options.durationMs / 1000}s, trends over ${windowMs / 1000}s windows`,
  );
  const { result, session } = await runPhase(
    env,
    {
      type: 'constant-arrival-rate',
      rate: options.normalRate,
      durationMs: options.durationMs,
      maxUsers: env.maxUsers,
    },
    { label: 'endurance', windowMs },
  );
  const windows = session.windows.map((w) => {
    const service = w.figures.service;
    const memory = service instanceof ServiceFigures ? service.residentMemory() : null;
    return {
      from: w.from,
      to: w.to,
      p95Ms: value(w.figures, 'p95'),
      errorRate: value(w.figures, 'error_rate'),
      rssMb: memory ? Math.round(memory.after / 1e5) / 10 : null,
    };
  });
  const mid = windows.map((w) => (w.from + w.to) / 2);
  const t0 = windows[0]?.from ?? 0;
  const t1 = windows.at(-1)?.to ?? 0;
  const p95 = trend(
    mid,
    windows.map((w) => w.p95Ms),
    t0,
    t1,
  );
  const errors = trend(
    mid,
    windows.map((w) => w.errorRate),
    t0,
    t1,
  );
  const rss = trend(
    mid,
    windows.map((w) => w.rssMb),
    t0,
    t1,
  );
  const reasons: string[] = [];
  const grows = (t: Trend | null, allowed: (t: Trend) => boolean) =>
    t !== null && t.low > 0 && !allowed(t);
  if (grows(rss, (t) => t.end - t.start <= Math.abs(t.start) * options.maxMemoryGrowth))
    reasons.push(
      `service memory grew from ${rss?.start.toFixed(1)} to ${rss?.end.toFixed(1)} MB (${rss?.perHour.toFixed(1)} MB/h, 95% interval ${rss?.low.toFixed(1)} to ${rss?.high.toFixed(1)})`,
    );
  const leaking = reasons.length > 0;
  if (grows(p95, (t) => t.end - t.start <= Math.abs(t.start) * options.maxP95Growth))
    reasons.push(
      `p95 grew from ${formatFigure('latency', p95?.start ?? 0)} to ${formatFigure('latency', p95?.end ?? 0)} over the run`,
    );
  if (grows(errors, (t) => t.end - t.start <= options.maxErrorGrowth))
    reasons.push(
      `error rate grew from ${formatFigure('rate', Math.max(0, errors?.start ?? 0))} to ${formatFigure('rate', errors?.end ?? 0)} over the run`,
    );
  const verdict: EnduranceVerdict = leaking
    ? 'leaking'
    : reasons.length > 0
      ? 'degrading'
      : 'stable';
  const section: EnduranceSection = {
    kind: 'endurance',
    rate: options.normalRate,
    windowS: windowMs / 1000,
    windows,
    p95Ms: p95,
    errorRate: errors,
    rssMb: rss,
    verdict,
    reasons,
  };
  const describe = (name: string, t: Trend | null, unit: string, digits: number) =>
    t === null
      ? `${name}: too few windows for a trend`
      : `${name}: ${t.start.toFixed(digits)} -> ${t.end.toFixed(digits)}${unit}, ${t.perHour >= 0 ? '+' : ''}${t.perHour.toFixed(digits)}${unit}/h (95% interval ${t.low.toFixed(digits)} to ${t.high.toFixed(digits)})`;
  return {
    result: { ...result, stress: section },
    passed: verdict === 'stable' && !result.interrupted,
    lines: [
      `${windows.length} windows of ${windowMs / 1000}s`,
      describe('p95', p95, ' ms', 2),
      describe(
        'error rate',
        errors && {
          ...errors,
          start: errors.start * 100,
          end: errors.end * 100,
          perHour: errors.perHour * 100,
          low: errors.low * 100,
          high: errors.high * 100,
        },
        '%',
        3,
      ),
      describe('service memory', rss, ' MB', 1),
      `Verdict: ${verdict.toUpperCase()}${reasons.length ? `: ${reasons.join('; ')}` : ''}`,
    ],
  };
}
