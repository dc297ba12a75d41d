/**
 * One statement run in a session: running while the planner answers (and while its preview
 * streams), then finished with a result, or in error. Its result pages through a ResultBuffer.
 */
import { randomUUID } from 'node:crypto';
import { GatewayError } from './errors.js';
import type { Column, Row } from './planner.js';
import type { Preview } from './preview.js';
import { ResultBuffer, type Page } from './results.js';
import { FETCH_WAIT_MS, PAGE_ROWS } from './constants.js';

/** Operation states as Flink's gateway names them. */
export type OperationStatus = 'RUNNING' | 'FINISHED' | 'CANCELED' | 'CLOSED' | 'ERROR';

/** What a result says of itself on every page. */
export interface ResultHeader {
  isQueryResult: boolean;
  resultKind: 'SUCCESS' | 'SUCCESS_WITH_CONTENT';
  columns: Column[];
  jobId?: string;
}

/** The answer to a fetch: not ready yet, or a page with the result's header. */
export type Fetched = { type: 'NOT_READY' } | (Page & { header: ResultHeader });

export class Operation {
  readonly id = randomUUID();
  readonly buffer = new ResultBuffer(PAGE_ROWS);
  private state: OperationStatus = 'RUNNING';
  private header: ResultHeader | undefined;
  private failure: GatewayError | undefined;
  preview: Preview | undefined;

  constructor(readonly statement: string) {}

  get status(): OperationStatus {
    if (this.state === 'RUNNING' && this.buffer.error) return 'ERROR';
    if (this.state === 'RUNNING' && this.header && this.buffer.done) return 'FINISHED';
    return this.state;
  }

  /** The result's header is known; rows follow (a table's at once, a preview's as they come). */
  begin(header: ResultHeader, rows?: Row[]): void {
    this.header = header;
    if (rows) {
      this.buffer.append(rows);
      this.buffer.end();
    }
  }

  fail(err: GatewayError): void {
    if (this.state !== 'RUNNING') return;
    this.failure = err;
    this.state = 'ERROR';
    this.buffer.end();
  }

  /** Cancels (or closes) the operation and its preview. */
  async stop(state: 'CANCELED' | 'CLOSED'): Promise<void> {
    if (this.state === 'RUNNING' || state === 'CLOSED') this.state = state;
    this.buffer.end();
    await this.preview?.end('cancelled');
  }

  /** The page of `token`, waiting a moment for rows when there are none yet. */
  async fetch(token: number): Promise<Fetched> {
    if (this.state === 'ERROR' && this.failure) throw this.failure;
    if (this.state === 'CANCELED')
      throw new GatewayError(
        'OPERATION_CANCELED',
        `Can not fetch results from the CANCELED operation ${this.id}.`,
      );
    if (!this.header) return { type: 'NOT_READY' };
    if (this.buffer.wouldWait(token)) await this.buffer.waitForRows(FETCH_WAIT_MS);
    // A preview whose job failed ends its result with the job's error.
    if (this.state === 'ERROR' && this.failure) throw this.failure;
    return { ...this.buffer.fetch(token), header: this.header };
  }
}
