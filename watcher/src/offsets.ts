import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { CodedError } from '@pulse/kit';
import type { FileIdentity } from './files.js';
import type { TxProducer } from './producers/index.js';
import { packRecords } from './packed.js';
import type { ClockState } from './heartbeat.js';

/** What is stored per file in the offsets topic: where the next unread line starts. */
export interface FileState extends FileIdentity {
  source: string;
  path: string;
  offset: number;
}

/** A table source's file as last read: its content's hash and the rows it gave (key → value JSON). */
export interface TableFileState {
  contentHash: string;
  /** The last good rows: a refused file keeps the rows of its last good version. */
  rows: Record<string, string>;
  /** Why the file's current content was refused, if it was. */
  refused?: string;
}

/** A table source's head record: its files without their rows, which are in `parts` records. */
export interface TableHead {
  source: string;
  publishedAt: number;
  files: Record<string, Omit<TableFileState, 'rows'>>;
  parts: number;
}

/** What an older watcher stored per schedule source: the published keys with a hash of each row. */
export interface LegacyScheduleState {
  source: string;
  contentHash: string;
  rows: Record<string, string>;
  publishedAt: number;
}

export type StoredState =
  | { kind: 'file'; state: FileState }
  | { kind: 'table'; state: TableHead }
  | { kind: 'table-rows'; files: Record<string, Record<string, string>> }
  | { kind: 'schedule'; state: LegacyScheduleState }
  | { kind: 'clock'; state: ClockState };

const SENTINEL = '__sentinel__';

/**
 * Reads the offsets topic up to now with read_committed. To know where "now" is despite
 * transaction markers, it first commits a sentinel record in its own transaction (which also
 * completes the fencing of any previous incarnation) and reads until that sentinel comes back.
 */
export async function restoreState(
  kafka: Kafka,
  producer: TxProducer,
  topic: string,
  timeoutMs = 60_000,
): Promise<Map<string, StoredState>> {
  const runId = randomUUID();
  await producer.transact([[topic, packRecords([SENTINEL], [runId])]]);
  const state = new Map<string, StoredState>();
  const consumer = kafka.consumer({
    groupId: `${topic}.restore.${runId}`,
    readUncommitted: false,
    sessionTimeout: 10_000,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new CodedError(
              'RESTORE_TIMEOUT',
              `restoring positions from ${topic} timed out after ${timeoutMs} ms`,
              true,
            ),
          ),
        timeoutMs,
      );
      void consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ message }) => {
            const key = message.key?.toString();
            if (!key) return;
            if (key === SENTINEL) {
              if (message.value?.toString() === runId) {
                clearTimeout(timer);
                resolve();
              }
              return;
            }
            if (message.value === null) state.delete(key);
            else state.set(key, JSON.parse(message.value.toString()) as StoredState);
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return state;
}
