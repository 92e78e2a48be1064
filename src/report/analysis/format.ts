import type { Evidence } from './types.js';

/** A count with thousands separators: `12,345`. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A latency in ms, with the digits a reader needs: `0.42 ms`, `12.3 ms`, `612 ms`, `1.25 s`. */
export function ms(n: number): string {
  if (n >= 1000) return `${Number((n / 1000).toFixed(2))} s`;
  if (n >= 100) return `${Math.round(n)} ms`;
  if (n >= 10) return `${Number(n.toFixed(1))} ms`;
  return `${Number(n.toFixed(2))} ms`;
}

/** A share as a percentage: `62%`, `1.2%`, `0.05%`, `99.95%`. */
export function pct(share: number): string {
  const p = share * 100;
  if (p === 0 || p === 100) return `${p}%`;
  if (p >= 99.9) return `${Number(p.toFixed(2))}%`;
  if (p >= 1) return `${Number(p.toFixed(1))}%`;
  return `${Number(p.toPrecision(2))}%`;
}

/** A ratio such as new connections per request: `0.9`, `4`, `1.25`. */
export function ratio(n: number): string {
  return String(Number(n.toFixed(2)));
}

/** A rate per second: `205.8/s`. */
export function perSecond(n: number): string {
  return `${Number(n.toFixed(n >= 100 ? 0 : 1)).toLocaleString('en-US')}/s`;
}

/** Seconds: `45 s`, `2 min 5 s`, `1 h 3 min`. */
export function seconds(s: number): string {
  if (s < 120) return `${Number(s.toFixed(s < 10 ? 1 : 0))} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min${Math.round(s % 60) ? ` ${Math.round(s % 60)} s` : ''}`;
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/** `METHOD name`, as results key endpoints. */
export function endpointKey(e: { readonly method: string; readonly name: string }): string {
  return e.method ? `${e.method} ${e.name}` : e.name;
}

/** Evidence builders: the value, its unit and its text agree. */
export const evidence = {
  ms: (name: string, value: number): Evidence => ({ name, value, unit: 'ms', text: ms(value) }),
  share: (name: string, value: number): Evidence => ({
    name,
    value,
    unit: 'share',
    text: pct(value),
  }),
  count: (name: string, value: number): Evidence => ({
    name,
    value,
    unit: 'count',
    text: count(value),
  }),
  /** A ratio such as new connections per request: `0.9`, `4`. */
  ratio: (name: string, value: number): Evidence => ({
    name,
    value,
    unit: 'ratio',
    text: ratio(value),
  }),
  perSecond: (name: string, value: number): Evidence => ({
    name,
    value,
    unit: '/s',
    text: perSecond(value),
  }),
  mb: (name: string, value: number): Evidence => ({
    name,
    value,
    unit: 'MB',
    text: `${Number(value.toFixed(1))} MB`,
  }),
  seconds: (name: string, value: number): Evidence => ({
    name,
    value,
    unit: 's',
    text: seconds(value),
  }),
  text: (name: string, value: string): Evidence => ({ name, value, text: value }),
};
