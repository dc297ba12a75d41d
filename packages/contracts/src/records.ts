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
