/** Progress lines for people watching a terminal: one prefix, to stderr, with elapsed time. */
export interface Reporter {
  step(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export function consoleReporter(prefix = 'stack'): Reporter {
  const started = Date.now();
  const stamp = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
  return {
    step: (m) => process.stderr.write(`[${prefix} ${stamp()}] ${m}\n`),
    info: (m) => process.stderr.write(`[${prefix} ${stamp()}]   ${m}\n`),
    warn: (m) => process.stderr.write(`[${prefix} ${stamp()}] WARNING: ${m}\n`),
  };
}

export const silentReporter: Reporter = { step: () => {}, info: () => {}, warn: () => {} };

/** A failure that names the part and where to look. */
export class StackError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly part?: string,
    readonly logFile?: string,
    options?: { cause?: unknown },
  ) {
    super(logFile ? `${message}\n  see its log: ${logFile}` : message, options);
    this.name = 'StackError';
  }
}
