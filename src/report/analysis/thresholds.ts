/**
 * Where each rule starts to speak. Each figure is a judgement, so each says why; a rule stays
 * quiet below them.
 */
export const THRESHOLDS = {
  /**
   * Tail ownership: an endpoint that owns half of the requests above the run's p99 (or half of
   * the run's total time) is where the tail lives...
   */
  tailOwnerShare: 0.5,
  /** ...when that is at least twice its share of requests (else it is only the busiest one). */
  tailOverRepresentation: 2,
  /** Fewer requests above p99 than this (a run under 1,000 requests) are noise. */
  minTailRequests: 10,

  /** The seed suite's cache hit rate target (> 80%), used when no target names it. */
  cacheHitRate: 0.8,
  /** Under half the lookups answered: the cache is hardly working, not tuned a little low. */
  cacheHitRateCritical: 0.5,

  /** The seed suite's provider uptime target (> 99%), used when no target names it. */
  providerUptime: 0.99,
  /** One call in ten failing is an outage rather than a flaky provider. */
  providerUptimeCritical: 0.9,

  /** A second with fewer requests than this has no meaningful p99 or error rate. */
  minSecondRequests: 5,
  /** Baselines (median second) need this many seconds with requests. */
  minSeconds: 5,
  /** A burst second has at least this many failures... */
  burstMinFailures: 3,
  /** ...an error rate at least this many points above the median second's... */
  burstErrorRateJump: 0.05,
  /** ...and a p99 at least this many times the median second's... */
  burstLatencyFactor: 2,
  /** ...and at least this much higher, so 1 ms -> 2 ms on loopback is not a spike. */
  burstLatencyMinMs: 10,

  /** Error rate past which failures are critical rather than a warning (the peak test's 5%). */
  errorRateCritical: 0.05,
  /** Error rate worth a finding of its own (one request in a hundred). */
  errorRateWarning: 0.01,
  /** Fewer failures than this cannot be said to concentrate anywhere. */
  minFailures: 10,
  /** Failures are concentrated when one endpoint or one status has this share of them. */
  failureConcentration: 0.8,

  /** Latency drift in a run that is not an endurance test: the fitted p95 must grow by half... */
  driftGrowth: 0.5,
  /** ...over a run at least this long (shorter runs are mostly warm-up). */
  driftMinSeconds: 60,
  /** Service memory growth between the scrapes before and after a run worth a note... */
  memoryGrowth: 0.2,
  /** ...and by at least this many MB (a small heap doubling is not a leak). */
  memoryGrowthMinMb: 20,

  /** Slow queries are a warning when they are at least this share of requests (the p99 tail). */
  slowQueryShare: 0.01,
  /** Fewer slow queries than this are a note at most. */
  slowQueryMinCount: 5,
  /** One operation with this share of the logged slow queries dominates them. */
  slowQueryDominance: 0.5,

  /**
   * A table with this many live rows, read by sequential scans under load, is worth an index (a
   * small table fits in a few pages, where a scan is the cheapest plan).
   */
  dbLargeTableRows: 10_000,
  /** ...scanned at least this often in the window: one scan is a report's, many are a query's. */
  dbRepeatedSeqScans: 10,
  /** The buffer cache hit ratio a database under load keeps (PostgreSQL's usual rule of thumb)... */
  dbCacheHitRatio: 0.99,
  /** ...judged when at least this many blocks were read (8 MB of 8 kB pages; fewer are warm-up). */
  dbCacheMinBlocksRead: 1_000,
  /** A statement whose mean is this share of an endpoint's mean latency is most of its time... */
  dbEndpointShare: 0.5,
  /** ...when it ran this many times a request at least (else most requests did not wait on it). */
  dbCallsPerRequest: 0.5,
  /** One statement with this share of the database's statement time is where its time goes... */
  dbStatementDominance: 0.5,
  /** ...when that time is at least this share of the time clients waited on responses. */
  dbStatementMinClientShare: 0.01,

  /** The server's share (time to first byte) of mean latency that makes it the place to look. */
  ttfbShare: 0.8,
  /** p95 past which latency is worth explaining without a latency target (the avg target). */
  slowP95Ms: 200,
  /** Connect and TLS together past this share of mean latency: connections cost too much... */
  handshakeShare: 0.2,
  /** ...when a connection takes at least this long (loopback connects in well under 1 ms). */
  handshakeMinMs: 1,
  /** New connections per request past this: connections are not kept alive. */
  newConnectionsPerRequest: 0.5,
  /** Fewer requests than this open their first connections, which is not churn. */
  minRequestsForConnections: 100,
  /** Waiting before a request went out past this share of mean latency: requests queued. */
  blockedShare: 0.2,

  /** The generator's own saturation limit on schedule lag (load/generator-monitor SATURATION). */
  scheduleLagMs: 10,
  /** Late iterations (over `scheduleLagMs`) the schedule-lag p99 must rest on to count (ditto). */
  minLateIterations: 10,
  /** Dropped iterations past this share of the schedule are critical: the rate was not offered. */
  droppedCritical: 0.01,
} as const;

/** The Gatling defaults for response-time ranges (its `lowerBound` and `higherBound`). */
export const GATLING_BOUNDS_MS: readonly number[] = [800, 1200];
