/**
 * The standard traffic for FIML: the seed's Locust file (tests/performance/load_test.py) with the
 * same request names, weights, symbols and queries. Run it with `fiml-perf load` (the default
 * scenario), or pick a class: `fiml-perf load -f scenarios/fiml.ts HighLoadUser`.
 */
import { between, type HttpResponse, TaskSet, task, User } from 'fiml-perf';

const SYMBOLS = [
  'AAPL',
  'TSLA',
  'MSFT',
  'GOOGL',
  'AMZN',
  'META',
  'NVDA',
  'AMD',
  'BTC',
  'ETH',
  'SOL',
  'AVAX',
  'LINK',
  'UNI',
  'EURUSD',
  'GBPUSD',
  'USDJPY',
  'AUDUSD',
];
const ANALYSIS_SYMBOLS = ['AAPL', 'TSLA', 'MSFT', 'GOOGL', 'AMZN', 'BTC', 'ETH'];
const DSL_QUERIES = [
  'GET PRICE OF AAPL',
  'GET PRICE OF BTC IN USD',
  'COMPARE AAPL WITH MSFT',
  'ANALYZE PORTFOLIO [AAPL:0.4, TSLA:0.3, MSFT:0.3]',
  'GET TECHNICAL INDICATORS FOR NVDA',
  'CALCULATE RSI FOR ETH PERIOD 14',
  'GET MOVING AVERAGE FOR GOOGL PERIOD 50',
];
const COMPLEX_DSL_QUERIES = [
  'GET PRICE OF AAPL, MSFT, GOOGL',
  'ANALYZE CORRELATION BETWEEN AAPL AND TSLA PERIOD 30',
  'GET VOLATILITY FOR BTC PERIOD 14',
];

/** 80% of traffic: price lookups, market data and health checks. */
export class PriceQueryTasks extends TaskSet {
  static override tasks = [
    task(50, 'simpleQuery'),
    task(20, 'withProvider'),
    task(15, 'batchQuery'),
    task(10, 'marketData'),
    task(5, 'healthCheck'),
  ];

  async simpleQuery() {
    await this.client.get('/mcp/tools/get_price', {
      json: { symbol: this.random.pick(SYMBOLS) },
      name: '[Price] Simple Query',
      check: (res: HttpResponse) =>
        res.status === 200
          ? 'price' in res.json<object>() || 'Invalid response structure'
          : undefined,
    });
  }

  async withProvider() {
    await this.client.get('/mcp/tools/get_price', {
      json: {
        symbol: this.random.pick(SYMBOLS),
        provider: this.random.pick(['yahoo', 'fmp', 'ccxt']),
      },
      name: '[Price] With Provider',
    });
  }

  /** Five sequential lookups; stops at the first failure, as the seed does. */
  async batchQuery() {
    for (const symbol of this.random.sample(SYMBOLS, 5)) {
      const res = await this.client.get('/mcp/tools/get_price', {
        json: { symbol },
        name: '[Price] Batch Query',
      });
      if (!res.ok) break;
    }
  }

  async marketData() {
    await this.client.get('/mcp/tools/get_market_data', {
      json: { symbol: this.random.pick(SYMBOLS.slice(0, 8)), include_history: true, days: 30 },
      name: '[Market] Data with History',
    });
  }

  async healthCheck() {
    await this.client.get('/health', {
      name: '[System] Health Check',
      check: (res: HttpResponse) =>
        res.status === 200
          ? res.json<{ status?: string }>().status === 'healthy' || 'System unhealthy'
          : undefined,
    });
  }
}

/** 15% of traffic: narratives, sentiment, fundamentals and portfolios. */
export class DeepAnalysisTasks extends TaskSet {
  static override tasks = [
    task(40, 'narrative'),
    task(30, 'sentiment'),
    task(20, 'fundamentals'),
    task(10, 'portfolio'),
  ];

  async narrative() {
    await this.client.get('/mcp/tools/generate_narrative', {
      json: {
        symbol: this.random.pick(ANALYSIS_SYMBOLS),
        style: this.random.pick(['concise', 'detailed', 'technical', 'fundamental']),
        include_context: true,
      },
      name: '[Narrative] Generate',
    });
  }

  async sentiment() {
    await this.client.get('/mcp/tools/analyze_sentiment', {
      json: { symbol: this.random.pick(ANALYSIS_SYMBOLS) },
      name: '[Analysis] Sentiment',
    });
  }

  async fundamentals() {
    await this.client.get('/mcp/tools/get_fundamentals', {
      json: { symbol: this.random.pick(ANALYSIS_SYMBOLS.slice(0, 5)) },
      name: '[Analysis] Fundamentals',
    });
  }

  async portfolio() {
    await this.client.get('/mcp/tools/analyze_portfolio', {
      json: { symbols: this.random.sample(ANALYSIS_SYMBOLS, 3), weights: [0.4, 0.35, 0.25] },
      name: '[Analysis] Portfolio',
    });
  }
}

/** 5% of traffic: FK-DSL queries. */
export class DSLQueryTasks extends TaskSet {
  static override tasks = [task(60, 'execute'), task(20, 'complex'), task(20, 'validate')];

  async execute() {
    await this.client.post('/mcp/tools/execute_dsl', {
      json: { query: this.random.pick(DSL_QUERIES) },
      name: '[DSL] Execute Query',
    });
  }

  async complex() {
    await this.client.post('/mcp/tools/execute_dsl', {
      json: { query: this.random.pick(COMPLEX_DSL_QUERIES), include_metadata: true },
      name: '[DSL] Complex Query',
    });
  }

  async validate() {
    await this.client.post('/mcp/tools/validate_dsl', {
      json: { query: this.random.pick(DSL_QUERIES) },
      name: '[DSL] Validate',
    });
  }
}

/** The standard user: the 80/15/5 mix with 1-5 s of think time. */
export default class FIMLUser extends User {
  static override waitTime = between(1, 5);
  static override tasks = [
    task(80, PriceQueryTasks),
    task(15, DeepAnalysisTasks),
    task(5, DSLQueryTasks),
  ];
}

/** The same mix, faster (the seed's 500-1000 user profile). */
export class HighLoadUser extends FIMLUser {
  static override waitTime = between(0.5, 2);
}

/** The same mix, very fast, for spike tests. */
export class SpikeLoadUser extends FIMLUser {
  static override waitTime = between(0.1, 1);
}

/** Only the pre-warmed symbols, to measure the cache's hit path. */
export class CachedQueryUser extends User {
  static override waitTime = between(0.5, 2);
  static override tasks = [task(1, 'cachedPrice')];

  async cachedPrice() {
    await this.client.get('/mcp/tools/get_price', {
      json: { symbol: this.random.pick(['AAPL', 'TSLA', 'MSFT']) },
      name: '[Cache] Cached Price',
    });
  }
}

/** Random unknown symbols, to measure the miss path; a 404 is the expected answer. */
export class UncachedQueryUser extends User {
  static override waitTime = between(1, 3);
  static override tasks = [task(1, 'uncachedPrice')];

  async uncachedPrice() {
    await this.client.get('/mcp/tools/get_price', {
      json: { symbol: `TEST${this.random.int(1000, 9999)}` },
      name: '[Cache] Uncached Price',
      check: (res: HttpResponse) => res.status === 200 || res.status === 404 || undefined,
    });
  }
}
