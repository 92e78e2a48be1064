import type { Asset } from '../assets.js';
import { pick, seededRandom } from '../random.js';

export interface Headline {
  readonly title: string;
  readonly source: string;
  readonly score: number;
}

export interface Sentiment {
  readonly symbol: string;
  /** Mean headline score, in [-1, 1]. */
  readonly score: number;
  readonly label: 'bullish' | 'bearish' | 'neutral';
  /** Share of headlines that agree with the label, in [0, 1]. */
  readonly confidence: number;
  readonly headlines: readonly Headline[];
}

const POSITIVE = [
  'surges',
  'beats',
  'upgrade',
  'record',
  'strong',
  'growth',
  'rally',
  'outperform',
  'gains',
  'bullish',
];
const NEGATIVE = [
  'falls',
  'misses',
  'downgrade',
  'lawsuit',
  'weak',
  'decline',
  'slump',
  'underperform',
  'losses',
  'bearish',
];
const LEXICON = new Map<string, number>([
  ...POSITIVE.map((w) => [w, 1] as const),
  ...NEGATIVE.map((w) => [w, -1] as const),
]);

const TEMPLATES = [
  (n: string, w: string) => `${n} ${w} as analysts revise estimates`,
  (n: string, w: string) => `Traders see ${w} momentum for ${n}`,
  (n: string, w: string) => `${n} shares: ${w} session on heavy volume`,
  (n: string, w: string) => `Why ${n} could ${w} this quarter`,
  (n: string, w: string) => `${n} reports ${w} demand, says CFO`,
];
const SOURCES = ['Reuters', 'Bloomberg', 'CNBC', 'MarketWatch', 'Barrons', 'CoinDesk'];
const HEADLINES = 10;

/** Scores a headline by counting lexicon words: (positive − negative) / matched, or 0. */
export function scoreText(text: string): number {
  let sum = 0;
  let matched = 0;
  for (const word of text.toLowerCase().split(/[^a-z]+/)) {
    const value = LEXICON.get(word);
    if (value !== undefined) {
      sum += value;
      matched++;
    }
  }
  return matched === 0 ? 0 : sum / matched;
}

/** Deterministic sentiment for a symbol: seeded headlines, scored with a small lexicon. */
export function analyzeSentiment(asset: Asset, seed: number, day: string): Sentiment {
  const random = seededRandom(seed, 'sentiment', asset.symbol, day);
  const bias = random(); // how often this symbol's news is good today
  const headlines: Headline[] = [];
  for (let i = 0; i < HEADLINES; i++) {
    const word = pick(random, random() < bias ? POSITIVE : NEGATIVE);
    const title = pick(random, TEMPLATES)(asset.name, word);
    headlines.push({ title, source: pick(random, SOURCES), score: scoreText(title) });
  }
  const score = headlines.reduce((s, h) => s + h.score, 0) / headlines.length;
  const label = score > 0.15 ? 'bullish' : score < -0.15 ? 'bearish' : 'neutral';
  const agree = headlines.filter((h) =>
    label === 'bullish'
      ? h.score > 0
      : label === 'bearish'
        ? h.score < 0
        : h.score === 0 || Math.abs(h.score) < 1,
  ).length;
  return {
    symbol: asset.symbol,
    score: Math.round(score * 1000) / 1000,
    label,
    confidence: Math.round((agree / headlines.length) * 1000) / 1000,
    headlines,
  };
}
