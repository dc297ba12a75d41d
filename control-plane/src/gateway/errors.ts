/**
 * The gateway's errors: a stable code, the HTTP status it answers with, and the body in the
 * protocol's shape, `{"errors": [message]}` (Flink's REST client reads nothing else, and refuses
 * a body with other fields).
 */
import { CodedError } from '@pulse/kit';

const STATUS: Record<string, number> = {
  SESSION_NOT_FOUND: 404,
  OPERATION_NOT_FOUND: 404,
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  SQL_INVALID: 400,
  TOKEN_INVALID: 400,
  SETTING_INVALID: 400,
  INSERT_REFUSED: 403,
  OPERATOR_TOKEN_MISSING: 401,
  OPERATOR_TOKEN_INVALID: 403,
  TOO_MANY_SESSIONS: 429,
  TOO_MANY_PREVIEWS: 429,
  OPERATION_CANCELED: 409,
  OPERATION_CLOSED: 410,
  PREVIEW_FAILED: 422,
  PLANNER_UNAVAILABLE: 503,
  PLANNER_FAILED: 502,
  // From the Flink REST client (the cluster's version, a deploy).
  FLINK_UNREACHABLE: 503,
  FLINK_SERVER_ERROR: 502,
  // From the job API's deploy path (an INSERT): a copy runs, or the planner refused the script.
  JOB_RUNNING: 409,
  JOB_BUSY: 409,
};

const RETRIABLE = new Set(['TOO_MANY_SESSIONS', 'TOO_MANY_PREVIEWS', 'PLANNER_UNAVAILABLE']);

export class GatewayError extends CodedError {
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; line?: number; column?: number } = {},
  ) {
    super(code, message, RETRIABLE.has(code), { cause: options.cause });
    this.name = 'GatewayError';
    this.line = options.line;
    this.column = options.column;
  }

  get status(): number {
    return STATUS[this.code] ?? 500;
  }
}

/** The status and protocol body of any error thrown while answering a gateway request. */
export function errorReply(err: unknown): { status: number; body: { errors: string[] } } {
  if (err instanceof GatewayError) return { status: err.status, body: { errors: [err.message] } };
  if (err instanceof CodedError)
    return { status: STATUS[err.code] ?? 500, body: { errors: [err.message] } };
  const e = err as { validation?: unknown; statusCode?: number; message?: string };
  if (e.validation || (e.statusCode && e.statusCode >= 400 && e.statusCode < 500))
    return { status: e.statusCode ?? 400, body: { errors: [e.message ?? 'bad request'] } };
  return { status: 500, body: { errors: ['Internal server error.'] } };
}
