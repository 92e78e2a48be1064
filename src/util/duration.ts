const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses `500ms`, `30s`, `5m`, `1h30m` or a bare number of seconds into milliseconds; returns
 * undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
    total += Number(amount) * (UNITS[unit as string] as number);
  return total;
}

/** `90000` → `1m30s`, for progress lines and summaries. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

export interface Stage {
  readonly durationMs: number;
  /** Users (closed) or iterations a second (open) reached at the end of the stage. */
  readonly target: number;
}

/** Parses `30s:100,2m:100,30s:0`; returns the problem as a string when it does not parse. */
export function parseStages(text: string): Stage[] | string {
  const stages: Stage[] = [];
  for (const part of text.split(',')) {
    const [duration, target, extra] = part.trim().split(':');
    const durationMs = duration === undefined ? undefined : parseDuration(duration);
    const value = Number(target);
    if (
      extra !== undefined ||
      durationMs === undefined ||
      target === undefined ||
      target.trim() === '' ||
      !Number.isFinite(value) ||
      value < 0
    )
      return `stage '${part.trim()}' is not DURATION:TARGET, such as 30s:100`;
    stages.push({ durationMs, target: value });
  }
  return stages;
}

/** The value of linearly ramped stages at `t` ms after the start, from `start`. */
export function stageValue(stages: readonly Stage[], start: number, t: number): number {
  let from = start;
  let offset = 0;
  for (const stage of stages) {
    if (t < offset + stage.durationMs)
      return from + ((stage.target - from) * (t - offset)) / stage.durationMs;
    offset += stage.durationMs;
    from = stage.target;
  }
  return from;
}

export function stagesDuration(stages: readonly Stage[]): number {
  return stages.reduce((sum, s) => sum + s.durationMs, 0);
}
