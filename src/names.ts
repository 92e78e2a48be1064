/** Where requests go once a run has seen `--max-names` distinct request names. */
export const OTHER_NAMES = '(other names)';

/** The most distinct request names a run records by default; past it, `OTHER_NAMES`. */
export const DEFAULT_MAX_NAMES = 1000;

/** Endpoints the generator's Prometheus metrics label by name by default; later names share `OTHER_NAMES`. */
export const DEFAULT_METRICS_MAX_ENDPOINTS = 100;
