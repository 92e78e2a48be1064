import type { Asset } from '../assets.js';
import type { Bar } from '../market.js';
import type { Quote } from '../providers/index.js';
import type { Fundamentals } from './fundamentals.js';
import { macd, rsi, sma, volatility } from './indicators.js';

export const NARRATIVE_STYLES = ['concise', 'detailed', 'technical', 'fundamental'] as const;
export type NarrativeStyle = (typeof NARRATIVE_STYLES)[number];

export interface NarrativeInput {
  readonly asset: Asset;
  readonly quote: Quote;
  readonly history: readonly Bar[];
  readonly fundamentals: Fundamentals | null;
  readonly style: NarrativeStyle;
  readonly includeContext: boolean;
}

export interface Narrative {
  readonly symbol: string;
  readonly style: NarrativeStyle;
  readonly narrative: string;
  readonly sections: readonly string[];
  readonly word_count: number;
}

const money = (v: number) =>
  v >= 1e12
    ? `$${(v / 1e12).toFixed(2)}T`
    : v >= 1e9
      ? `$${(v / 1e9).toFixed(2)}B`
      : `$${(v / 1e6).toFixed(1)}M`;
const price = (v: number, asset: Asset) =>
  asset.type === 'fx'
    ? v.toFixed(4)
    : `$${v.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;

function headline({ asset, quote }: NarrativeInput): string {
  const direction =
    quote.change_percent > 0.5
      ? 'rose'
      : quote.change_percent < -0.5
        ? 'fell'
        : 'was little changed';
  const move =
    direction === 'was little changed' ? '' : ` ${Math.abs(quote.change_percent).toFixed(2)}%`;
  return `${asset.name} (${asset.symbol}) ${direction}${move} to ${price(quote.price, asset)}.`;
}

function technical({ history, asset }: NarrativeInput): string {
  const closes = history.map((b) => b.close);
  const r = rsi(closes, 14);
  const s20 = sma(closes, 20).at(-1)!;
  const s50 = sma(closes, 50).at(-1)!;
  const m = macd(closes);
  const v = volatility(closes, 30);
  const zone = r > 70 ? 'overbought' : r < 30 ? 'oversold' : 'neutral';
  const trend = s20 > s50 ? 'above' : 'below';
  return (
    `RSI(14) stands at ${r.toFixed(1)}, in ${zone} territory; the 20-day average (${price(s20, asset)}) ` +
    `sits ${trend} the 50-day (${price(s50, asset)}). MACD is ${m.macd.toFixed(3)} against a signal of ` +
    `${m.signal.toFixed(3)}, ${m.histogram >= 0 ? 'a bullish' : 'a bearish'} reading, and 30-day ` +
    `annualised volatility is ${(v.annualized * 100).toFixed(1)}%.`
  );
}

function fundamental({ fundamentals }: NarrativeInput): string {
  if (!fundamentals) return 'Currency pairs carry no company fundamentals.';
  const parts = [`Market capitalisation is ${money(fundamentals.market_cap)}`];
  if (fundamentals.pe_ratio !== null) {
    parts.push(
      `a P/E of ${fundamentals.pe_ratio.toFixed(1)} on EPS of $${fundamentals.eps?.toFixed(2)}`,
    );
  }
  if (fundamentals.profit_margin !== null) {
    parts.push(`a ${(fundamentals.profit_margin * 100).toFixed(1)}% profit margin`);
  }
  if (fundamentals.dividend_yield)
    parts.push(`a ${(fundamentals.dividend_yield * 100).toFixed(2)}% dividend yield`);
  return `${parts.join(', ')}.`;
}

function context({ asset, fundamentals, quote }: NarrativeInput): string {
  if (!fundamentals) return `${asset.symbol} trades on the ${asset.exchange} market.`;
  const range = fundamentals.week52_high - fundamentals.week52_low;
  const position = range === 0 ? 50 : ((quote.price - fundamentals.week52_low) / range) * 100;
  return (
    `Within its ${asset.sector} peers, ${asset.symbol} trades at ${position.toFixed(0)}% of its 52-week ` +
    `range (${price(fundamentals.week52_low, asset)}–${price(fundamentals.week52_high, asset)}), on ` +
    `${quote.volume.toLocaleString('en-US')} units against a 30-day average of ` +
    `${fundamentals.avg_volume_30d.toLocaleString('en-US')}.`
  );
}

/** Templated market commentary built from the data; each style picks and orders sections. */
export function generateNarrative(input: NarrativeInput): Narrative {
  const sections = [headline(input)];
  switch (input.style) {
    case 'concise':
      break;
    case 'technical':
      sections.push(technical(input));
      break;
    case 'fundamental':
      sections.push(fundamental(input));
      break;
    case 'detailed':
      sections.push(technical(input), fundamental(input));
      break;
  }
  if (input.includeContext) sections.push(context(input));
  const narrative = sections.join(' ');
  return {
    symbol: input.asset.symbol,
    style: input.style,
    narrative,
    sections,
    word_count: narrative.split(/\s+/).filter(Boolean).length,
  };
}
