/** The history's limits and defaults, in one place (README: control-plane/src/history/README.md). */
export const HISTORY_DEFAULTS = {
  /** Campus zone for campus-local dates when the configuration names none. */
  campusTimeZone: 'Asia/Shanghai',
  /** Minute-level rows (traffic_minute, pvuv_window) are kept this many days; hours and days forever. */
  minuteRetentionDays: 30,
  /** How often pruning runs (it also runs once at start). */
  pruneEveryMs: 60 * 60 * 1000,
  /** Rows per page when the request names no limit. */
  pageSize: 1000,
} as const;

/** Longest range one request may ask for, in days (a longer one is a 400 naming the limit). */
export const MAX_RANGE_DAYS = {
  /** One section over a term or a school year. */
  attendance: 366,
  minute: 7,
  hour: 92,
  day: 1096,
} as const;

/** The range read when the request names none, in days back from now / today (inclusive). */
export const DEFAULT_RANGE_DAYS = {
  attendance: 180,
  minute: 1,
  hour: 7,
  day: 30,
} as const;

/** The tables pruning trims, with the column holding each row's time. */
export const MINUTE_TABLES = [
  { table: 'traffic_minute', column: 'bucket_start' },
  { table: 'pvuv_window', column: 'window_start' },
] as const;
