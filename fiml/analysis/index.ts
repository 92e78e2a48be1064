export type { Fundamentals } from './fundamentals.js';
export { computeFundamentals } from './fundamentals.js';
export type { Macd, Volatility } from './indicators.js';
export {
  correlation,
  ema,
  InsufficientDataError,
  logReturns,
  macd,
  mean,
  rsi,
  sma,
  stddev,
  volatility,
} from './indicators.js';
export type { Narrative, NarrativeInput, NarrativeStyle } from './narrative.js';
export { generateNarrative, NARRATIVE_STYLES } from './narrative.js';
export type { PortfolioAnalysis, PortfolioInput } from './portfolio.js';
export { analyzePortfolio } from './portfolio.js';
export type { Headline, Sentiment } from './sentiment.js';
export { analyzeSentiment, scoreText } from './sentiment.js';
