/** Names and defaults of the SQL gateway, in one place. */

/** The protocol versions served, as Flink 1.18's gateway names them. */
export const API_VERSIONS = ['V1', 'V2'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/** What `GET /info` names as the product; the version is the cluster's. */
export const PRODUCT_NAME = 'Apache Flink';

/** Session properties that bound a preview; a session SETs them, up to the operator's ceiling. */
export const SESSION_KEYS = {
  maxRows: 'sql-gateway.preview.max-rows',
  timeout: 'sql-gateway.preview.timeout',
} as const;

/**
 * Flink job names of previews start with this, then the control plane's instance and the
 * operation: no `@` (so the job API never takes them for a job's copy) and recognisable on
 * Flink's own page.
 */
export const PREVIEW_JOB_PREFIX = 'preview-';

/**
 * Preview topics start with this: the `__` keeps them out of the cluster view, and neither the
 * topic catalog nor the relay knows them, so nothing provisions or relays them.
 */
export const PREVIEW_TOPIC_PREFIX = '__preview-';

/** Jobs an INSERT through the gateway starts are named `sql-<session>-<n>`. */
export { SCRIPT_JOB_PREFIX as INSERT_JOB_PREFIX } from '../constants.js';

/** Rows one result page carries at most. */
export const PAGE_ROWS = 1000;

/** How long a fetch waits for rows before answering an empty page (clients poll without pause). */
export const FETCH_WAIT_MS = 500;

/** How often a preview looks at its Flink job (to end once it finished and its rows are read). */
export const JOB_POLL_MS = 1000;

/** How long a preview's cleanup waits for its cancelled job to end before deleting its topic. */
export const CANCEL_WAIT_MS = 30_000;

/** The shared table file left out of a session's prelude: job settings, not tables. */
export const PRELUDE_SKIPPED = new Set(['common.sql']);
