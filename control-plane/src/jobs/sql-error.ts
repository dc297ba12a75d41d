import { CodedError } from '@pulse/kit';
import { FlinkError } from '../flink/index.js';
import type { RenderedJob } from './script.js';

/** A script the planner refused, with the statement and its place in the job's own files. */
export class SqlInvalidError extends CodedError {
  constructor(
    message: string,
    readonly statement: number,
    readonly file: string | undefined,
    readonly line: number | undefined,
    readonly column: number,
  ) {
    super('SQL_INVALID', message, false);
  }
}

/**
 * Maps a runner error's line in the expanded script back to the job's own file and line; any
 * other error is returned as it is.
 */
export function toSqlError(job: Pick<RenderedJob, 'lineMap'>, err: unknown): unknown {
  const info = err instanceof FlinkError ? err.runnerError : undefined;
  if (!info) return err;
  const at = job.lineMap[info.line - 1];
  return new SqlInvalidError(info.message, info.statement, at?.file, at?.line, info.column);
}
