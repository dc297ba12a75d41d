/**
 * The history API's requests and answers (`/api/history`), shared by the control plane and the
 * dashboard. Campus-local dates are `YYYY-MM-DD`; instants are UTC ISO-8601 (`...Z`).
 */
import { Type, type Static, type TSchema } from 'typebox';

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** A calendar date as the API takes it (checked further: 2026-02-30 is refused with a reason). */
export const HistoryDate = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'a campus-local date, YYYY-MM-DD',
});

/** Answer format: JSON (default) or CSV with the same rows and columns. */
export const HistoryFormat = Type.Enum(['json', 'csv'], {
  default: 'json',
  description: 'json (default) or csv: the same rows and columns',
});

const page = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 10_000, description: 'rows per page (default 1000)' }),
  ),
  cursor: Type.Optional(
    Type.String({ maxLength: 200, description: 'the `next` of the previous page' }),
  ),
  format: Type.Optional(HistoryFormat),
};

/** One course section on one class date (the row jobs/sql/attendance.sql upserts). */
export const AttendanceHistoryRow = Type.Object({
  course_id: Type.String(),
  section: Type.String(),
  class_date: Type.String({ description: 'campus-local date of the class' }),
  unit: nullable(Type.String({ description: "'students' (registry and roster) or 'devices'" })),
  present: nullable(Type.Integer()),
  enrolled: nullable(Type.Integer()),
  rate: nullable(Type.Number({ description: 'present / enrolled' })),
  late: nullable(Type.Integer()),
  left_early: nullable(Type.Integer()),
  other_devices: nullable(Type.Integer()),
  over_capacity: nullable(Type.Boolean()),
});
export type AttendanceHistoryRow = Static<typeof AttendanceHistoryRow>;

/** The columns of an attendance row, in CSV order. */
export const ATTENDANCE_HISTORY_COLUMNS = [
  'course_id',
  'section',
  'class_date',
  'unit',
  'present',
  'enrolled',
  'rate',
  'late',
  'left_early',
  'other_devices',
  'over_capacity',
] as const satisfies readonly (keyof AttendanceHistoryRow)[];

export const AttendanceSectionQuery = Type.Object(
  {
    course: Type.String({ minLength: 1, maxLength: 100, description: 'course id' }),
    section: Type.String({ minLength: 1, maxLength: 100 }),
    from: Type.Optional(HistoryDate),
    to: Type.Optional(HistoryDate),
    ...page,
  },
  { additionalProperties: false },
);
export type AttendanceSectionQuery = Static<typeof AttendanceSectionQuery>;

export const AttendanceDateParams = Type.Object({ date: HistoryDate });
export const AttendanceDateQuery = Type.Object(page, { additionalProperties: false });
export type AttendanceDateQuery = Static<typeof AttendanceDateQuery>;

/** A page of attendance rows; `next` fetches the following page (null on the last). */
export const AttendanceHistory = Type.Object({
  rows: Type.Array(AttendanceHistoryRow),
  next: nullable(Type.String()),
});
export type AttendanceHistory = Static<typeof AttendanceHistory>;

export const TrafficStep = Type.Enum(['minute', 'hour', 'day'], {
  description: 'minute and hour buckets are UTC instants; day buckets are campus-local dates',
});
export type TrafficStep = Static<typeof TrafficStep>;

/** Traffic of one bucket: PV (requests), exact UV, and requests by status class. */
export const TrafficHistoryRow = Type.Object({
  bucket: Type.String({
    description: 'bucket start: UTC instant (minute, hour) or campus date (day)',
  }),
  pv: Type.Integer(),
  uv: Type.Integer(),
  status_2xx: Type.Integer(),
  status_3xx: Type.Integer(),
  status_4xx: Type.Integer(),
  status_5xx: Type.Integer(),
  status_other: Type.Integer(),
});
export type TrafficHistoryRow = Static<typeof TrafficHistoryRow>;

export const TRAFFIC_HISTORY_COLUMNS = [
  'bucket',
  'pv',
  'uv',
  'status_2xx',
  'status_3xx',
  'status_4xx',
  'status_5xx',
  'status_other',
] as const satisfies readonly (keyof TrafficHistoryRow)[];

export const TrafficQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        maxLength: 40,
        description: 'start: a campus date (its midnight) or an ISO-8601 instant with its offset',
      }),
    ),
    to: Type.Optional(
      Type.String({
        maxLength: 40,
        description: 'end: a campus date (included) or an ISO-8601 instant (excluded)',
      }),
    ),
    step: Type.Optional(TrafficStep),
    ...page,
  },
  { additionalProperties: false },
);
export type TrafficQuery = Static<typeof TrafficQuery>;

export const TrafficHistory = Type.Object({
  step: TrafficStep,
  /** The range actually read, after defaults: UTC instants, `to` excluded. */
  from: Type.String(),
  to: Type.String(),
  rows: Type.Array(TrafficHistoryRow),
  next: nullable(Type.String()),
});
export type TrafficHistory = Static<typeof TrafficHistory>;

/** What the history holds and how it can be asked (for the dashboard's pickers). */
export const HistoryInfo = Type.Object({
  campusTimeZone: Type.String(),
  /** Today's date on campus (not the viewer's). */
  campusToday: Type.String(),
  minuteRetentionDays: Type.Integer(),
  /** Longest range per request, in days. */
  maxRangeDays: Type.Object({
    attendance: Type.Integer(),
    minute: Type.Integer(),
    hour: Type.Integer(),
    day: Type.Integer(),
  }),
  /** First and last class date with attendance rows (null when none). */
  attendanceDates: Type.Object({ first: nullable(Type.String()), last: nullable(Type.String()) }),
});
export type HistoryInfo = Static<typeof HistoryInfo>;
