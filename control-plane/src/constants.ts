/** Names and defaults of the control plane, in one place. */
export const HEADERS = {
  authorization: 'authorization',
  operator: 'x-operator',
} as const;

/** Flink job names carry the script's content hash: `<job>@<hash>`, so the truth stays in Flink. */
export const JOB_NAME_SEPARATOR = '@';

/** Flink states after which a job holds no resources and a new copy may start. */
export const TERMINAL_STATES = new Set(['FINISHED', 'CANCELED', 'FAILED']);

export const AUDIT_FILE = 'audit.jsonl';
export const SAVEPOINTS_FILE = 'savepoints.json';
export const DEPLOYMENTS_FILE = 'deployments.json';
export const INTENTS_FILE = 'intents.json';

/**
 * Jobs started from a script that is no file (an INSERT through the SQL gateway) are named
 * `sql-<session>-<n>`; the listing shows their running copies beside the files' jobs.
 */
export const SCRIPT_JOB_PREFIX = 'sql-';
