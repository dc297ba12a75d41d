import { AxiosError } from 'axios';
import { CodedError } from '@pulse/kit';

/** Where a SQL script failed, as the runner reported it from inside Flink. */
export interface RunnerErrorInfo {
  statement: number;
  line: number;
  column: number;
  message: string;
}

/** A failed call to Flink's REST API, with Flink's own error text kept. */
export class FlinkError extends CodedError {
  constructor(
    code: string,
    message: string,
    retriable: boolean,
    readonly status: number | undefined,
    /** Flink's `errors` array: for a failed jar run it holds the full exception chain. */
    readonly flinkErrors: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(code, message, retriable, options);
    this.name = 'FlinkError';
  }

  /** The runner's statement/line/message when the failure came from a SQL script. */
  get runnerError(): RunnerErrorInfo | undefined {
    return parseRunnerError(this.flinkErrors);
  }
}

const MARKER = 'SQLRUNNER_ERROR ';

/** Finds the runner's machine-readable error line in Flink's error texts. */
export function parseRunnerError(errors: readonly string[]): RunnerErrorInfo | undefined {
  for (const text of errors) {
    for (const line of text.split('\n')) {
      const at = line.indexOf(MARKER);
      if (at < 0) continue;
      try {
        const info = JSON.parse(line.slice(at + MARKER.length)) as RunnerErrorInfo;
        if (typeof info.statement === 'number' && typeof info.message === 'string') return info;
      } catch {
        // A truncated line: keep looking, Flink repeats the cause further down.
      }
    }
  }
  return undefined;
}

/** The most useful one-line summary of Flink's errors: the deepest "Caused by". */
export function summarizeFlinkErrors(errors: readonly string[]): string {
  const all = errors.join('\n');
  const causes = all.split('\n').filter((l) => l.startsWith('Caused by: '));
  const last = causes.at(-1) ?? all.split('\n')[0] ?? 'unknown Flink error';
  return last.replace(/^Caused by: /, '').trim();
}

/** Connection failures where the request never reached Flink: safe to retry even for a job submission. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const TRANSIENT = new Set([
  ...NOT_SENT,
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EPIPE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** Whether a call may be sent twice: a GET may, a job submission may not (it could start two jobs). */
export type Safety = 'idempotent' | 'once';

/** Turns an axios failure into a FlinkError with a stable code, Flink's own messages and whether to retry. */
export function toFlinkError(err: unknown, what: string, safety: Safety): FlinkError {
  if (err instanceof FlinkError) return err;
  if (err instanceof AxiosError) {
    const status = err.response?.status;
    if (status !== undefined) {
      const errors = (err.response?.data as { errors?: unknown } | undefined)?.errors;
      const list = Array.isArray(errors) ? errors.map(String) : [];
      const summary = list.length ? summarizeFlinkErrors(list) : err.message;
      // A 500 from a GET is Flink having a bad moment; from a submission it is the program failing.
      const retriable =
        status === 502 ||
        status === 503 ||
        status === 504 ||
        (status >= 500 && safety === 'idempotent');
      const code =
        status === 404
          ? 'FLINK_NOT_FOUND'
          : status === 400
            ? 'FLINK_BAD_REQUEST'
            : status >= 500
              ? 'FLINK_SERVER_ERROR'
              : 'FLINK_REQUEST_REJECTED';
      return new FlinkError(
        code,
        `${what}: Flink answered ${status}: ${summary}`,
        retriable,
        status,
        list,
        { cause: err },
      );
    }
    const netCode = err.code ?? '';
    const retriable = safety === 'idempotent' ? TRANSIENT.has(netCode) : NOT_SENT.has(netCode);
    return new FlinkError(
      'FLINK_UNREACHABLE',
      `${what}: Flink is unreachable (${netCode || err.message})`,
      retriable,
      undefined,
      [],
      { cause: err },
    );
  }
  return new FlinkError(
    'FLINK_CLIENT',
    `${what}: ${err instanceof Error ? err.message : String(err)}`,
    false,
    undefined,
    [],
    { cause: err },
  );
}
