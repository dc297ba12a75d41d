import { packRecords, type PackedRecords } from './packed.js';

/** Records waiting for one transaction, with the file positions they take the files to. */
export class Batch {
  /** Records added one by one, by topic: keys and values. */
  readonly byTopic = new Map<string, { keys: string[]; values: (string | null)[] }>();
  /** Records already packed into buffers, by topic. */
  readonly packed = new Map<string, PackedRecords[]>();
  /** offsets-topic records (file positions, schedule snapshots) to commit with the data. */
  readonly state = new Map<string, string | null>();
  /** Where each file read into this batch will stand once it is committed. */
  readonly positions = new Map<string, number>();
  /** The latest event time among the records of each topic (the heartbeats follow it). */
  readonly eventTimes = new Map<string, number>();
  /** Heartbeats, by topic: one record per partition, without a key. */
  readonly heartbeats = new Map<string, { partitions: number[]; values: string[] }>();
  records = 0;
  bytes = 0;

  add(topic: string, key: string, value: string | null): void {
    let list = this.byTopic.get(topic);
    if (!list) this.byTopic.set(topic, (list = { keys: [], values: [] }));
    list.keys.push(key);
    list.values.push(value);
    this.records++;
    this.bytes += key.length + (value?.length ?? 0) + 64;
  }

  /** Notes that the batch carries records of `topic` up to event time `ts`. */
  noteEventTime(topic: string, ts: number): void {
    const seen = this.eventTimes.get(topic);
    if (seen === undefined || ts > seen) this.eventTimes.set(topic, ts);
  }

  /** Adds a heartbeat for one partition of `topic` (a null key: it belongs to no visitor or device). */
  addHeartbeat(topic: string, partition: number, value: string): void {
    let list = this.heartbeats.get(topic);
    if (!list) this.heartbeats.set(topic, (list = { partitions: [], values: [] }));
    list.partitions.push(partition);
    list.values.push(value);
    this.records++;
    this.bytes += value.length + 64;
  }

  /**
   * Takes over another batch's records, packed. Packing each read step at once lets its many
   * small strings die young (cheap to collect) instead of living until the transaction.
   */
  absorb(step: Batch): void {
    for (const [topic, { keys, values }] of step.byTopic) {
      let list = this.packed.get(topic);
      if (!list) this.packed.set(topic, (list = []));
      list.push(packRecords(keys, values));
    }
    for (const [topic, ts] of step.eventTimes) this.noteEventTime(topic, ts);
    this.records += step.records;
    this.bytes += step.bytes;
  }

  setState(key: string, value: string | null): void {
    this.state.set(key, value);
  }

  get empty(): boolean {
    return this.records === 0 && this.state.size === 0;
  }

  /** Records per topic, heartbeats apart (they are counted on their own). */
  counts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [topic, list] of this.packed)
      out.set(
        topic,
        list.reduce((n, p) => n + p.count, 0),
      );
    for (const [topic, { keys }] of this.byTopic)
      out.set(topic, (out.get(topic) ?? 0) + keys.length);
    return out;
  }

  /** Everything one transaction sends: the data, then the positions it brings the files to. */
  messages(offsetsTopic: string): [string, PackedRecords][] {
    const out: [string, PackedRecords][] = [];
    for (const [topic, list] of this.packed) for (const p of list) out.push([topic, p]);
    for (const [topic, { keys, values }] of this.byTopic)
      out.push([topic, packRecords(keys, values)]);
    for (const [topic, { partitions, values }] of this.heartbeats)
      out.push([
        topic,
        packRecords(
          values.map(() => null),
          values,
          partitions,
        ),
      ]);
    if (this.state.size)
      out.push([offsetsTopic, packRecords([...this.state.keys()], [...this.state.values()])]);
    return out;
  }
}
