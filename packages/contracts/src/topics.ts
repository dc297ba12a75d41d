/**
 * The topic catalog: every topic the product uses, with the settings it needs. Every part that
 * creates topics (npm start, the watcher, the relay, the tests, docker compose) provisions from
 * here through `provisionTopics` (`@pulse/contracts/kafka`), so a topic has the same settings
 * whoever creates it first. See DESIGN.md, "Topics and records".
 */

/** Kafka topic names every part of the product agrees on. */
export const TOPICS = {
  accessLog: 'access_log',
  wifiLog: 'wifi_log',
  courseSchedule: 'course_schedule',
  deviceRegistry: 'device_registry',
  classRoster: 'class_roster',
  termCalendar: 'term_calendar',
  pvuv: 'pvuv',
  attendance: 'attendance',
  webMinute: 'web_minute',
  webHour: 'web_hour',
  webToday: 'web_today',
  webTopPages: 'web_top_pages',
  webTopReferrers: 'web_top_referrers',
  webTop404: 'web_top_404',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** The dead-letter topic for a source topic: where refused lines go, with their reason. */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

const DAY_MS = 24 * 3600_000;

/** Longest log line the watcher passes on whole by default (longer ones are cut into the DLQ). */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
/** Room a DLQ record has beside its raw text: field names, file path, reason. */
export const DLQ_OVERHEAD_BYTES = 32 * 1024;
/** Largest DLQ record for lines of `maxLineBytes`, so that a refused line is never refused again. */
export function dlqRecordBytes(maxLineBytes: number = DEFAULT_MAX_LINE_BYTES): number {
  return maxLineBytes + DLQ_OVERHEAD_BYTES;
}
/** Kafka's batch framing around one record: the topic limit must exceed the record by this much. */
const BATCH_FRAMING_BYTES = 32 * 1024;

/** What a topic must be like. */
export interface TopicSpec {
  name: string;
  /** A fixed partition count; absent: the deployment's default (KAFKA_PARTITIONS). */
  partitions?: number;
  /** Compacted topics keep the latest record per key (tables); the others age out. */
  compacted: boolean;
  /**
   * How long records are kept. On a compacted topic, a key whose last record is older than this
   * is dropped too (`compact,delete`): tables of windows that are over, not current tables.
   */
  retentionMs?: number;
  /** The largest record the topic must accept (`max.message.bytes` is at least this). */
  maxMessageBytes?: number;
  /** One line for logs and docs. */
  purpose: string;
}

/** The dead-letter topic of a source topic, sized for lines of up to `maxLineBytes`. */
export function dlqTopicSpec(
  sourceTopic: string,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): TopicSpec {
  return {
    name: dlqTopic(sourceTopic),
    compacted: false,
    retentionMs: 30 * DAY_MS,
    maxMessageBytes: dlqRecordBytes(maxLineBytes) + BATCH_FRAMING_BYTES,
    purpose: `lines refused from ${sourceTopic}, with the reason`,
  };
}

/** The watcher's file positions: one partition, latest position per file. */
export function watcherOffsetsTopicSpec(name: string): TopicSpec {
  return {
    name,
    partitions: 1,
    compacted: true,
    purpose: 'the watcher’s file positions, written in the same transactions as the lines',
  };
}

/** The default name of a watcher's positions topic for its state id. */
export function watcherOffsetsTopic(stateId: string): string {
  return `_watcher_offsets.${stateId}`;
}

/** Every topic of the product with its settings (the watcher's positions topic is per watcher). */
export const TOPIC_CATALOG: readonly TopicSpec[] = [
  {
    name: TOPICS.accessLog,
    compacted: false,
    retentionMs: 7 * DAY_MS,
    purpose: 'parsed web requests, keyed by visitor',
  },
  {
    name: TOPICS.wifiLog,
    compacted: false,
    retentionMs: 7 * DAY_MS,
    purpose: 'Wi-Fi associations, keyed by device MAC',
  },
  {
    name: TOPICS.courseSchedule,
    compacted: true,
    purpose: 'the course schedule, one row per section',
  },
  {
    name: TOPICS.deviceRegistry,
    compacted: true,
    purpose: 'the device registry: which student owns each device MAC (optional)',
  },
  {
    name: TOPICS.classRoster,
    compacted: true,
    purpose: 'class rosters: one record per student enrolled in a course section (optional)',
  },
  {
    name: TOPICS.termCalendar,
    compacted: true,
    purpose: 'the term calendar: terms and holidays as ranges of campus-local dates (optional)',
  },
  {
    name: TOPICS.pvuv,
    compacted: false,
    retentionMs: 7 * DAY_MS,
    purpose: 'page views and unique visitors per sliding window',
  },
  {
    name: TOPICS.attendance,
    compacted: true,
    purpose: 'attendance per course section and class date (upserts)',
  },
  {
    name: TOPICS.webMinute,
    compacted: false,
    retentionMs: 7 * DAY_MS,
    purpose:
      'web analytics per minute: requests, page views, visitors, bytes, status classes, bots',
  },
  {
    name: TOPICS.webHour,
    compacted: false,
    retentionMs: 7 * DAY_MS,
    purpose: 'web analytics per hour: requests, page views, visitors',
  },
  {
    name: TOPICS.webToday,
    compacted: true,
    retentionMs: 7 * DAY_MS,
    purpose: 'web analytics so far per campus-local day (upserts keyed by the day)',
  },
  ...[TOPICS.webTopPages, TOPICS.webTopReferrers, TOPICS.webTop404].map((name) => ({
    name,
    compacted: true,
    retentionMs: 2 * DAY_MS,
    purpose: `the ${name.slice('web_top_'.length)} top list of every window (upserts keyed by window end and rank)`,
  })),
  dlqTopicSpec(TOPICS.accessLog),
  dlqTopicSpec(TOPICS.wifiLog),
  dlqTopicSpec(TOPICS.courseSchedule),
  dlqTopicSpec(TOPICS.deviceRegistry),
  dlqTopicSpec(TOPICS.classRoster),
  dlqTopicSpec(TOPICS.termCalendar),
];

/** The catalog's spec of a topic, if it has one. */
export function topicSpec(name: string): TopicSpec | undefined {
  return TOPIC_CATALOG.find((t) => t.name === name);
}

/** The broker settings a spec asks for, as Kafka topic config entries. */
export function topicConfigEntries(spec: TopicSpec): Record<string, string> {
  const entries: Record<string, string> = {
    'cleanup.policy': !spec.compacted
      ? 'delete'
      : spec.retentionMs === undefined
        ? 'compact'
        : 'compact,delete',
  };
  if (spec.retentionMs !== undefined) entries['retention.ms'] = String(spec.retentionMs);
  if (spec.maxMessageBytes !== undefined)
    entries['max.message.bytes'] = String(spec.maxMessageBytes);
  return entries;
}
