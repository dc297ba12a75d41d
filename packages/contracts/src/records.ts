/**
 * Records the watcher writes to Kafka (see DESIGN.md, "Topics and records"). Flink's SQL tables in
 * jobs/sql/tables/ read these field names; keep them in step.
 *
 * `event_time` is UTC written as 'yyyy-MM-dd HH:mm:ss.SSS', the form Flink 1.12's JSON format reads
 * into TIMESTAMP(3); `ts_ms` is the same instant in epoch milliseconds.
 */
import { Type, type Static } from 'typebox';

const Position = {
  /** The file the line came from, as the watcher saw its path. */
  source_file: Type.String(),
  /** Byte offset of the line's start in that file. */
  source_offset: Type.Integer({ minimum: 0 }),
};

/** `access_log`, key = visitor_id: one parsed web request. */
export const AccessLogRecord = Type.Object({
  event_time: Type.String(),
  ts_ms: Type.Integer(),
  client_ip: Type.String(),
  visitor_id: Type.String(),
  method: Type.String(),
  path: Type.String(),
  protocol: Type.String(),
  status: Type.Integer(),
  bytes: Type.Integer({ minimum: 0 }),
  referrer: Type.String(),
  user_agent: Type.String(),
  ...Position,
});
export type AccessLogRecord = Static<typeof AccessLogRecord>;

/** `wifi_log`, key = mac: one Wi-Fi association; `local_time` is the campus wall-clock time. */
export const WifiLogRecord = Type.Object({
  event_time: Type.String(),
  ts_ms: Type.Integer(),
  local_time: Type.String(),
  mac: Type.String(),
  apname: Type.String(),
  currentapname: Type.String(),
  ssid: Type.String(),
  connectresult: Type.String(),
  uppacketnum: Type.Number(),
  upbyte: Type.Number(),
  downpacketnum: Type.Number(),
  downbyte: Type.Number(),
  ...Position,
});
export type WifiLogRecord = Static<typeof WifiLogRecord>;

/** The field that marks a heartbeat; the source views leave out records where it is true. */
export const HEARTBEAT_FIELD = 'heartbeat';

/**
 * A heartbeat on `access_log` or `wifi_log` (key null, one per partition): no request and no
 * association, only a time. The watcher writes them while a log is quiet (`heartbeatMs`), so the
 * jobs' watermark moves on and the last windows close; the views `access_log` and `wifi_log` leave
 * them out, so no job counts them. `ts_ms` is the last event time plus the wall-clock time since.
 */
export const HeartbeatRecord = Type.Object({
  heartbeat: Type.Literal(true),
  event_time: Type.String(),
  ts_ms: Type.Integer(),
});
export type HeartbeatRecord = Static<typeof HeartbeatRecord>;

/** True when a value read from `access_log` or `wifi_log` is a heartbeat, not a line. */
export function isHeartbeat(value: unknown): value is HeartbeatRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>)[HEARTBEAT_FIELD] === true
  );
}

/** `course_schedule` key: JSON, the primary key Flink's upsert-kafka table reads. */
export const CourseScheduleKey = Type.Object({ course_id: Type.String(), section: Type.String() });
export type CourseScheduleKey = Static<typeof CourseScheduleKey>;

/** `course_schedule` value (null = the row left the schedule). Times are local to `timezone`. */
export const CourseScheduleRecord = Type.Object({
  course_id: Type.String(),
  section: Type.String(),
  room: Type.String(),
  aps: Type.Array(Type.String()),
  /** The same AP names comma-joined, for SQL that cannot unnest. */
  aps_csv: Type.String(),
  /** ISO weekday, 1 = Monday. */
  weekday: Type.Integer({ minimum: 1, maximum: 7 }),
  start_time: Type.String({ pattern: '^\\d{2}:\\d{2}:\\d{2}$' }),
  end_time: Type.String({ pattern: '^\\d{2}:\\d{2}:\\d{2}$' }),
  enrolled: Type.Integer({ minimum: 0 }),
  timezone: Type.String(),
});
export type CourseScheduleRecord = Static<typeof CourseScheduleRecord>;

/** One row of the schedule CSV analysts keep: the record without what the watcher derives. */
export type ScheduleRow = Omit<CourseScheduleRecord, 'aps_csv' | 'timezone'>;

// ---- The campus's optional tables (compacted; a tombstone, a null value, removes a row) ----

/** A MAC in its canonical form: six lower-case hex pairs separated by colons. */
const MAC_PATTERN = '^([0-9a-f]{2}:){5}[0-9a-f]{2}$';
const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';

/**
 * A MAC in the canonical form the tables are keyed by ("60:8c:4a:57:12:4d"), whatever its case and
 * separators (`60-8C-4A-57-12-4D`, `608c.4a57.124d`, `608c4a57124d`); undefined if it is not 12 hex
 * digits. The attendance job normalises again in SQL, so a record that skipped this still matches.
 */
export function canonicalMac(raw: string): string | undefined {
  const hex = raw.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 12 || /[^0-9a-f:.\s-]/i.test(raw)) return undefined;
  return hex.match(/../g)!.join(':');
}

/** `device_registry` key (JSON): the device's canonical MAC. */
export const DeviceRegistryKey = Type.Object({ mac: Type.String({ pattern: MAC_PATTERN }) });
export type DeviceRegistryKey = Static<typeof DeviceRegistryKey>;

/** `device_registry` value: the student who owns the device. */
export const DeviceRegistryRecord = Type.Object({
  mac: Type.String({ pattern: MAC_PATTERN }),
  student_id: Type.String({ minLength: 1 }),
});
export type DeviceRegistryRecord = Static<typeof DeviceRegistryRecord>;

/** `class_roster` key and value alike: one student enrolled in one course section. */
export const ClassRosterRecord = Type.Object({
  course_id: Type.String({ minLength: 1 }),
  section: Type.String({ minLength: 1 }),
  student_id: Type.String({ minLength: 1 }),
});
export type ClassRosterRecord = Static<typeof ClassRosterRecord>;
export const ClassRosterKey = ClassRosterRecord;
export type ClassRosterKey = ClassRosterRecord;

/** `term_calendar` key: an entry is known by its kind and first date. */
export const TermCalendarKey = Type.Object({
  kind: Type.Union([Type.Literal('term'), Type.Literal('holiday')]),
  first_date: Type.String({ pattern: DATE_PATTERN }),
});
export type TermCalendarKey = Static<typeof TermCalendarKey>;

/**
 * `term_calendar` value: a term (classes are held on its dates) or a holiday (none are), from
 * `first_date` to `last_date` inclusive, campus-local 'yyyy-MM-dd'. With no term at all, every date
 * is a term date.
 */
export const TermCalendarRecord = Type.Object({
  kind: Type.Union([Type.Literal('term'), Type.Literal('holiday')]),
  first_date: Type.String({ pattern: DATE_PATTERN }),
  last_date: Type.String({ pattern: DATE_PATTERN }),
  name: Type.String(),
});
export type TermCalendarRecord = Static<typeof TermCalendarRecord>;

/** `<topic>.dlq`, key = `${source_file}:${source_offset}`: a line the watcher refused, and why. */
export const DlqRecord = Type.Object({
  /** The line as read (cut at the size limit; invalid UTF-8 replaced). */
  raw: Type.String(),
  ...Position,
  reason: Type.String(),
  /** The watcher source that read it, and the topic it was meant for. */
  source: Type.String(),
  topic: Type.String(),
});
export type DlqRecord = Static<typeof DlqRecord>;
