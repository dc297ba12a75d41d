/**
 * One live preview: a query the planner runs as a Flink job writing its changelog to a topic of
 * its own, read here from the start into the operation's result. It ends with EOS at the row
 * limit, at the time limit, or once the job finished and every record it wrote is read; a failed
 * job ends it with the job's error. Whatever ends it (also a cancel, a close or a lapsed session)
 * cancels the job if it still runs, stops reading and deletes the topic.
 */
import { GatewayError } from './errors.js';
import type { Row } from './planner.js';
import type { ResultBuffer } from './results.js';
import type { PreviewLimits } from './statements.js';
import { CANCEL_WAIT_MS, JOB_POLL_MS } from './constants.js';

/** The Kafka a preview needs: its topic made and removed, and read from the start. */
export interface PreviewKafka {
  createTopic(topic: string): Promise<void>;
  deleteTopic(topic: string): Promise<void>;
  /** Reads every record of the topic from its first offset until stopped. */
  read(
    topic: string,
    onRecord: (value: Buffer | null, offset: string) => void,
  ): Promise<{ stop(): Promise<void> }>;
  /** The offset the next record written to the topic will get. */
  endOffset(topic: string): Promise<bigint>;
}

/** The Flink a preview needs: its job's state and a cancel. */
export interface PreviewFlink {
  jobState(jobId: string): Promise<{ state: string; failure?: string }>;
  cancelJob(jobId: string): Promise<void>;
}

export type EndReason = 'rowLimit' | 'timeLimit' | 'finished' | 'failed' | 'cancelled';

export interface PreviewOptions {
  topic: string;
  jobName: string;
  limits: PreviewLimits;
  buffer: ResultBuffer;
  kafka: PreviewKafka;
  flink: PreviewFlink;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Told once, when the preview has ended and cleaned up. */
  onEnd?: (reason: EndReason, failure?: GatewayError) => void;
}

const TERMINAL = new Set(['FINISHED', 'CANCELED', 'FAILED']);

/** A changelog row from a preview record, or undefined for a record that is not one. */
export function parseRow(value: Buffer | null): Row | undefined {
  if (!value) return undefined;
  try {
    const row = JSON.parse(value.toString('utf8')) as Partial<Row>;
    const kinds = ['INSERT', 'UPDATE_BEFORE', 'UPDATE_AFTER', 'DELETE'];
    if (typeof row.kind !== 'string' || !kinds.includes(row.kind) || !Array.isArray(row.fields))
      return undefined;
    return row as Row;
  } catch {
    return undefined;
  }
}

export class Preview {
  private jobId: string | undefined;
  private jobEnded = false;
  private cancelled = false;
  private reader: { stop(): Promise<void> } | undefined;
  private position = 0n;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private poller: ReturnType<typeof setTimeout> | undefined;
  private ending: Promise<void> | undefined;
  private startedAt = 0;
  reason: EndReason | undefined;

  constructor(private readonly o: PreviewOptions) {}

  get topic(): string {
    return this.o.topic;
  }

  get jobName(): string {
    return this.o.jobName;
  }

  get ended(): boolean {
    return this.ending !== undefined;
  }

  /** Makes the topic the job will write to (before the planner is asked). */
  async prepare(): Promise<void> {
    await this.o.kafka.createTopic(this.o.topic);
  }

  /** The job runs: read its records, and end at a limit or when it is over. */
  async run(jobId: string): Promise<void> {
    this.jobId = jobId;
    this.startedAt = Date.now();
    if (this.ended) {
      // Cancelled while the planner was submitting: the job it started goes too, and the topic
      // its sink may have made again.
      await this.cancelJob();
      await this.jobGone();
      await this.o.kafka.deleteTopic(this.o.topic).catch(() => undefined);
      return;
    }
    this.timer = setTimeout(() => void this.end('timeLimit'), this.o.limits.timeoutMs);
    this.reader = await this.o.kafka.read(this.o.topic, (value, offset) => {
      this.position = BigInt(offset) + 1n;
      const row = parseRow(value);
      if (!row) {
        if (value) this.o.log.warn({ topic: this.o.topic, offset }, 'preview record is not a row');
        return;
      }
      if (this.ended) return;
      this.o.buffer.append([row]);
      if (this.o.buffer.total >= this.o.limits.maxRows) void this.end('rowLimit');
    });
    if (this.ended) await this.reader.stop().catch(() => undefined);
    else this.poll();
  }

  private poll(): void {
    this.poller = setTimeout(() => {
      void this.check().finally(() => {
        if (!this.ended) this.poll();
      });
    }, JOB_POLL_MS);
  }

  /** Ends the preview once its job is over and every record it wrote has been read. */
  private async check(): Promise<void> {
    if (!this.jobId || this.ended) return;
    const job = await this.o.flink.jobState(this.jobId).catch(() => undefined);
    if (!job || !TERMINAL.has(job.state)) return;
    this.jobEnded = true;
    if (job.state === 'FAILED') {
      const why = job.failure ?? 'the preview job failed';
      await this.end('failed', new GatewayError('PREVIEW_FAILED', why));
      return;
    }
    const end = await this.o.kafka.endOffset(this.o.topic).catch(() => undefined);
    if (end !== undefined && this.position >= end) await this.end('finished');
  }

  /** Ends the preview (idempotent): the result ends, the job is cancelled, the topic deleted. */
  end(reason: EndReason, failure?: GatewayError): Promise<void> {
    this.ending ??= (async () => {
      this.reason = reason;
      clearTimeout(this.timer);
      clearTimeout(this.poller);
      this.o.buffer.end(failure);
      await this.cancelJob();
      await this.reader?.stop().catch(() => undefined);
      // A sink still writing would create the topic again (brokers auto-create on metadata
      // requests): it is deleted once the job is over.
      await this.jobGone();
      await this.o.kafka
        .deleteTopic(this.o.topic)
        .catch((err: unknown) =>
          this.o.log.warn({ err, topic: this.o.topic }, 'could not delete a preview topic'),
        );
      this.o.log.info(
        {
          job: this.o.jobName,
          jobId: this.jobId,
          reason,
          rows: this.o.buffer.total,
          ms: this.startedAt ? Date.now() - this.startedAt : 0,
        },
        'preview ended',
      );
      this.o.onEnd?.(reason, failure);
    })();
    return this.ending;
  }

  /** Waits until the cancelled job holds nothing any more (or CANCEL_WAIT_MS passed). */
  private async jobGone(): Promise<void> {
    if (!this.jobId || !this.cancelled) return;
    const deadline = Date.now() + CANCEL_WAIT_MS;
    while (Date.now() < deadline) {
      const job = await this.o.flink.jobState(this.jobId).catch(() => undefined);
      if (job && TERMINAL.has(job.state)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    this.o.log.warn({ jobId: this.jobId }, 'a cancelled preview job did not end in time');
  }

  private async cancelJob(): Promise<void> {
    if (!this.jobId || this.jobEnded) return;
    this.jobEnded = true;
    this.cancelled = true;
    await this.o.flink
      .cancelJob(this.jobId)
      .catch((err: unknown) =>
        this.o.log.warn({ err, jobId: this.jobId }, 'could not cancel a preview job'),
      );
  }
}
