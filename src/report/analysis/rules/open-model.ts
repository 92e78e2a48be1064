import type { AnalysisContext } from '../context.js';
import { count, evidence, ms, pct } from '../format.js';
import { THRESHOLDS } from '../thresholds.js';
import type { Evidence, Finding } from '../types.js';

/** The executor's user limit, from the result's config, when it has one. */
function maxUsersOf(config: Readonly<Record<string, unknown>>): number | null {
  const executor = config.executor as { maxUsers?: unknown } | undefined;
  return typeof executor?.maxUsers === 'number' ? executor.maxUsers : null;
}

/**
 * An open model that did not offer its schedule: iterations dropped because every user was busy,
 * or started late. Then the test, not the service, set the load: maxUsers (when every user was
 * busy) or the generator (when they were not).
 */
export function openModelLimited(context: AnalysisContext): Finding[] {
  const { result } = context;
  if (result.model !== 'open') return [];
  const g = result.generator;
  const lag = g.scheduleLagMs;
  // As the generator's own verdict: a p99 that rests on a late iteration or two is not a sign
  // (results before 0.1.1 do not count them, and are judged on the p99 alone).
  const late =
    lag !== null &&
    lag.p99 > THRESHOLDS.scheduleLagMs &&
    (lag.late === undefined || lag.late >= THRESHOLDS.minLateIterations);
  if (g.dropped === 0 && !late) return [];
  const maxUsers = maxUsersOf(result.config);
  const peak = context.peakUsers;
  const usersLimited = maxUsers !== null && peak >= maxUsers;
  const scheduled = result.totals.requests + g.dropped;
  const droppedShare = scheduled === 0 ? 0 : g.dropped / scheduled;
  const limit = usersLimited
    ? `every one of the ${count(maxUsers)} users (--max-users) was busy`
    : g.saturated
      ? 'the generator was saturated'
      : 'the generator started iterations late';
  const parts = [
    g.dropped > 0
      ? `${count(g.dropped)} iterations were dropped (about ${pct(droppedShare)} of the schedule)`
      : '',
    late
      ? lag.late !== undefined && lag.iterations !== undefined
        ? `${count(lag.late)} of ${count(lag.iterations)} iterations started over ${ms(THRESHOLDS.scheduleLagMs)} late (p99 ${ms(lag.p99)})`
        : `iterations started up to ${ms(lag.p99)} late (p99)`
      : '',
  ].filter(Boolean);
  const what = parts.join(' and ');
  const facts: Evidence[] = [
    evidence.count('dropped iterations', g.dropped),
    evidence.share('dropped share of the schedule (about)', droppedShare),
    ...(lag
      ? [
          evidence.ms('schedule lag p50', lag.p50),
          evidence.ms('schedule lag p99', lag.p99),
          evidence.ms('schedule lag max', lag.max),
          ...(lag.iterations !== undefined
            ? [evidence.count('iterations started', lag.iterations)]
            : []),
          ...(lag.late !== undefined
            ? [evidence.count(`iterations over ${ms(THRESHOLDS.scheduleLagMs)} late`, lag.late)]
            : []),
        ]
      : []),
    ...(maxUsers !== null ? [evidence.count('max users', maxUsers)] : []),
    evidence.count('users (peak)', peak),
  ];
  return [
    {
      id: 'open-model-limited',
      severity: droppedShare >= THRESHOLDS.droppedCritical ? 'critical' : 'warning',
      title: `The arrival rate was not offered: ${parts[0]}`,
      detail: `This open-model run did not send its schedule: ${what}, because ${limit}. The service saw less load than planned${late ? ', and late starts count in latency (measured from the intended start)' : ''}; the test limited itself.`,
      evidence: facts,
      recommendation: usersLimited
        ? [
            'Raise --max-users: the service is slow enough that more requests are in flight at once than users allow',
            'Or lower --rate to what the service answers in time',
          ]
        : [
            'Add --workers so the generator keeps the schedule',
            'Lower --rate, or run fiml-perf on another machine than the service',
          ],
      action: usersLimited
        ? {
            text: `Raise --max-users (all ${maxUsers} were busy) and rerun`,
            doc: 'docs/load.md#load-models',
          }
        : {
            text: 'Give the generator more room (--workers) and rerun',
            doc: 'docs/load.md#workers',
          },
    },
  ];
}
