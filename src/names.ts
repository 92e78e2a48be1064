/** Where requests go once a run has seen `--max-names` distinct request names. */
export const OTHER_NAMES = '(other names)';

/** The most distinct request names a run records by default; past it, `OTHER_NAMES`. */
export const DEFAULT_MAX_NAMES = 1000;

/** Endpoints the generator's Prometheus metrics label by name by default; later names share `OTHER_NAMES`. */
export const DEFAULT_METRICS_MAX_ENDPOINTS = 100;

/**
 * Distinct integers a position of a request name (`/status/:n`) keeps as they are; the next one
 * folds the position into `:id`. A scenario's status codes, sizes, pages and versions are a
 * handful, while a per-id URL passes 20 within its first 20 requests and then costs 20 rows, 2%
 * of the default `--max-names` (docs/load.md, "How requests are named").
 */
export const FOLD_AFTER_VALUES = 20;
