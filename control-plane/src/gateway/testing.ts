/**
 * In-memory stand-ins for the planner, Kafka and Flink, for the gateway's unit tests: they answer
 * as the contract says, and record what the gateway asked, so session logic is tested without a
 * cluster. Integration tests use the real ones.
 */
import type { Planner, PlannerAnswer, PreviewTarget, Row } from './planner.js';
import type { PreviewFlink, PreviewKafka } from './preview.js';
import { GatewayError } from './errors.js';

const varchar = (name: string) => ({
  name,
  logicalType: { type: 'VARCHAR', nullable: true, length: 2147483647 },
  comment: null,
});

/** The Flink job id (32 hex digits) of the stub planner's n-th preview. */
export const jobIdOf = (n: number): string => n.toString(16).padStart(32, '0');

export const row = (...fields: unknown[]): Row => ({
  kind: 'INSERT',
  fields,
  text: fields.map((f) => (f === null ? null : String(f))),
});

/** A planner of sessions holding SET properties; SELECT starts a "job" in the stub Flink. */
export class StubPlanner implements Planner {
  readonly sessions = new Map<string, Record<string, string>>();
  readonly previews: PreviewTarget[] = [];
  private jobs = 0;

  constructor(private readonly flink: StubFlink) {}

  async health() {
    return { flinkVersion: '1.12.7' };
  }
  async openSession(id: string, properties: Record<string, string>, prelude: string) {
    if (!prelude.includes('CREATE')) throw new Error('no prelude');
    this.sessions.set(id, { ...properties });
  }
  async properties(id: string) {
    const p = this.sessions.get(id);
    if (!p) throw new GatewayError('SESSION_NOT_FOUND', 'no session');
    return { ...p };
  }
  async closeSession(id: string) {
    this.sessions.delete(id);
  }
  async statement(id: string, statement: string, preview?: PreviewTarget): Promise<PlannerAnswer> {
    const props = this.sessions.get(id);
    if (!props) throw new GatewayError('SESSION_NOT_FOUND', 'no session');
    const set = /^SET\s+'([^']+)'\s*=\s*'([^']*)'$/i.exec(statement);
    if (set) {
      props[set[1]!] = set[2]!;
      return {
        resultType: 'TABLE',
        resultKind: 'SUCCESS',
        columns: [varchar('result')],
        rows: [row('OK')],
      };
    }
    if (/^SHOW TABLES$/i.test(statement))
      return {
        resultType: 'TABLE',
        resultKind: 'SUCCESS_WITH_CONTENT',
        columns: [varchar('table name')],
        rows: [row('access_log'), row('wifi_log')],
      };
    if (/^INSERT/i.test(statement)) return { resultType: 'INSERT', script: `${statement};` };
    if (/^SELECT/i.test(statement)) {
      if (/FROM nowhere/.test(statement))
        throw new GatewayError('SQL_INVALID', "Object 'nowhere' not found (line 1, column 15)", {
          line: 1,
          column: 15,
        });
      if (!preview) return { resultType: 'QUERY', columns: [varchar('path')] };
      this.previews.push(preview);
      const jobId = jobIdOf(++this.jobs);
      this.flink.states.set(jobId, 'RUNNING');
      return { resultType: 'QUERY', columns: [varchar('path')], jobId };
    }
    throw new GatewayError('SQL_INVALID', `cannot run: ${statement}`);
  }
  async complete() {
    return ['access_log'];
  }
}

export class StubFlink implements PreviewFlink {
  readonly states = new Map<string, string>();
  readonly cancelled: string[] = [];
  /** How long a cancelled job takes to end, as Flink's cancel only starts it. */
  cancelMs = 0;
  async jobState(jobId: string) {
    return { state: this.states.get(jobId) ?? 'RUNNING' };
  }
  async cancelJob(jobId: string) {
    this.cancelled.push(jobId);
    this.states.set(jobId, 'CANCELLING');
    if (this.cancelMs === 0) this.states.set(jobId, 'CANCELED');
    else setTimeout(() => this.states.set(jobId, 'CANCELED'), this.cancelMs);
  }
  async version() {
    return '1.12.7';
  }
}

/** Topics as arrays of records; readers are handed what is written, from the start. */
export class StubKafka implements PreviewKafka {
  readonly topics = new Map<string, Buffer[]>();
  readonly deleted: string[] = [];
  private readers = new Map<string, ((v: Buffer, offset: string) => void)[]>();

  async createTopic(topic: string) {
    this.topics.set(topic, []);
  }
  async deleteTopic(topic: string) {
    this.topics.delete(topic);
    this.deleted.push(topic);
  }
  async endOffset(topic: string) {
    return BigInt(this.topics.get(topic)?.length ?? 0);
  }
  async read(topic: string, onRecord: (v: Buffer | null, offset: string) => void) {
    const list = this.readers.get(topic) ?? [];
    list.push(onRecord);
    this.readers.set(topic, list);
    (this.topics.get(topic) ?? []).forEach((v, i) => onRecord(v, String(i)));
    return {
      stop: async () => {
        this.readers.set(
          topic,
          (this.readers.get(topic) ?? []).filter((r) => r !== onRecord),
        );
      },
    };
  }
  /** Writes rows as the preview job would. */
  write(topic: string, rows: Row[]): void {
    const records = this.topics.get(topic);
    if (!records) throw new Error(`no topic ${topic}`);
    for (const r of rows) {
      const value = Buffer.from(JSON.stringify(r));
      records.push(value);
      for (const reader of this.readers.get(topic) ?? []) reader(value, String(records.length - 1));
    }
  }
}
