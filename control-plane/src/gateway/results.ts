/**
 * An operation's result as the protocol pages it: rows are appended as they arrive (a preview's
 * changelog, in order), and each fetch of the current token takes the next page. The page just
 * taken is kept, so a client that retries a token (its answer was lost) gets the same page again,
 * as Flink's gateway does; any other token is refused.
 */
import { GatewayError } from './errors.js';
import type { Row } from './planner.js';

export type Page =
  | { type: 'PAYLOAD'; rows: Row[]; nextToken: number }
  | { type: 'EOS'; rows: Row[]; nextToken: null };

export class ResultBuffer {
  private pending: Row[] = [];
  private previous: Row[] = [];
  private token = 0;
  private ended = false;
  private failure: GatewayError | undefined;
  private appended = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly pageRows: number) {}

  /** Rows appended so far, served or not. */
  get total(): number {
    return this.appended;
  }

  get done(): boolean {
    return this.ended;
  }

  /** Why the result ended in error, if it did. */
  get error(): GatewayError | undefined {
    return this.failure;
  }

  /** Adds rows at the end; rows after the end are dropped. */
  append(rows: Row[]): void {
    if (this.ended || rows.length === 0) return;
    this.pending.push(...rows);
    this.appended += rows.length;
    this.wake();
  }

  /** No more rows will come: once the pending ones are read, the next fetch is EOS. */
  end(failure?: GatewayError): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    this.wake();
  }

  /** Resolves once rows are pending, the result ended, or `ms` passed. */
  async waitForRows(ms: number): Promise<void> {
    if (this.pending.length > 0 || this.ended || ms <= 0) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      }, ms);
      this.waiters.push(done);
    });
  }

  /** Whether a fetch of `token` would find nothing new yet (worth waiting a moment for). */
  wouldWait(token: number): boolean {
    return token === this.token && this.pending.length === 0 && !this.ended;
  }

  /** The page of `token`: the next rows for the current token, the same page for the one before. */
  fetch(token: number): Page {
    if (token === this.token) {
      if (this.pending.length === 0 && this.ended) {
        if (this.failure) throw this.failure;
        return { type: 'EOS', rows: [], nextToken: null };
      }
      this.previous = this.pending.splice(0, this.pageRows);
      this.token++;
      return { type: 'PAYLOAD', rows: this.previous, nextToken: this.token };
    }
    if (token === this.token - 1 && token >= 0)
      return { type: 'PAYLOAD', rows: this.previous, nextToken: this.token };
    throw new GatewayError(
      'TOKEN_INVALID',
      this.token === 0
        ? `Expecting token to be 0, but found ${token}.`
        : `Expecting token to be ${this.token} or ${this.token - 1}, but found ${token}.`,
    );
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
