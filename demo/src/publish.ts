/**
 * Publishes the demo's registry, rosters and term calendar straight to their compacted topics.
 *
 * Temporary: the watcher publishes the schedule file, and will publish these files the same way
 * (with tombstones for removed rows) once it reads their formats. Until then `npm start` calls this
 * so the attendance job has its tables. The demo's tables never lose rows between runs (they follow
 * from the seed), so whole snapshots without tombstones are enough here.
 */
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '@pulse/contracts';
import type { CampusTables } from './tables.js';

/** The topics the tables go to (the catalog's by default). */
export interface CampusTopics {
  registry: string;
  rosters: string;
  calendar: string;
}

export const CAMPUS_TOPICS: CampusTopics = {
  registry: TOPICS.deviceRegistry,
  rosters: TOPICS.classRoster,
  calendar: TOPICS.termCalendar,
};

/** Writes every row of the tables, keyed as the attendance job's upsert tables read them. */
export async function publishCampusTables(
  brokers: string[],
  tables: CampusTables,
  topics: CampusTopics = CAMPUS_TOPICS,
): Promise<void> {
  const json = (v: unknown) => JSON.stringify(v);
  const producer = new Kafka({
    clientId: 'demo-campus-tables',
    brokers,
    logLevel: logLevel.NOTHING,
  }).producer({ idempotent: true });
  await producer.connect();
  try {
    await producer.sendBatch({
      topicMessages: [
        {
          topic: topics.registry,
          messages: tables.registry.map((r) => ({ key: json({ mac: r.mac }), value: json(r) })),
        },
        {
          topic: topics.rosters,
          messages: tables.rosters.map((r) => ({ key: json(r), value: json(r) })),
        },
        {
          topic: topics.calendar,
          messages: tables.calendar.map((c) => ({
            key: json({ kind: c.kind, first_date: c.first_date }),
            value: json(c),
          })),
        },
      ],
    });
  } finally {
    await producer.disconnect();
  }
}
