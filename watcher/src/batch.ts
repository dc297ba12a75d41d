import type { Message } from 'kafkajs';

/** Records waiting for one transaction, with the file positions they take the files to. */
export class Batch {
  readonly byTopic = new Map<string, Message[]>();
  /** offsets-topic records (file positions, schedule snapshots) to commit with the data. */
  readonly state = new Map<string, string | null>();
  records = 0;
  bytes = 0;

  add(topic: string, key: string, value: string | null): void {
    const list = this.byTopic.get(topic) ?? [];
    list.push({ key, value });
    this.byTopic.set(topic, list);
    this.records++;
    this.bytes += key.length + (value?.length ?? 0) + 64;
  }

  setState(key: string, value: string | null): void {
    this.state.set(key, value);
  }

  get empty(): boolean {
    return this.records === 0 && this.state.size === 0;
  }
}
