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
