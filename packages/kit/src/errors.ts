/** An error a machine can act on: a stable code, and whether trying again may help. */
export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retriable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CodedError';
  }
}

/** True for errors that declare themselves retriable. */
export function isRetriable(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true
  );
}
