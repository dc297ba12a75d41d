/** Records for one topic as parallel lists: string keys, JSON values or null (a tombstone). */
export interface TopicRecords {
  keys: string[];
  values: (string | null)[];
}

/** Records waiting for one transaction, with the file positions they take the files to. */
export class Batch {
  readonly byTopic = new Map<string, TopicRecords>();
  /** offsets-topic records (file positions, schedule snapshots) to commit with the data. */
  readonly state = new Map<string, string | null>();
  /** Where each file read into this batch will stand once it is committed. */
  readonly positions = new Map<string, number>();
  records = 0;
  bytes = 0;
  private lastTopic = '';
  private last: TopicRecords | undefined;

  add(topic: string, key: string, value: string | null): void {
    let list = topic === this.lastTopic ? this.last : this.byTopic.get(topic);
    if (!list) this.byTopic.set(topic, (list = { keys: [], values: [] }));
    this.lastTopic = topic;
    this.last = list;
    list.keys.push(key);
    list.values.push(value);
    this.records++;
    this.bytes += key.length + (value?.length ?? 0) + 64;
  }

  setState(key: string, value: string | null): void {
    this.state.set(key, value);
  }

  get empty(): boolean {
    return this.records === 0 && this.state.size === 0;
  }

  /** Everything one transaction sends: the data, then the positions it brings the files to. */
  messages(offsetsTopic: string): [string, TopicRecords][] {
    const out = [...this.byTopic];
    if (this.state.size)
      out.push([offsetsTopic, { keys: [...this.state.keys()], values: [...this.state.values()] }]);
    return out;
  }
}
