import { parseCsvTable, type RowResult, type TableParse } from './csv.js';

/**
 * The course schedule file analysts keep: CSV with a header row
 * `course_id,section,room,aps,weekday,start_time,end_time,enrolled`, AP names separated by `;` (or `|`),
 * weekday 1-7 (1 = Monday) or Mon..Sun, local times HH:mm[:ss]. The whole file is the schedule.
 */
export const SCHEDULE_COLUMNS = [
  'course_id',
  'section',
  'room',
  'aps',
  'weekday',
  'start_time',
  'end_time',
  'enrolled',
] as const;

export interface ScheduleRow {
  course_id: string;
  section: string;
  room: string;
  aps: string[];
  aps_csv: string;
  weekday: number;
  start_time: string;
  end_time: string;
  enrolled: number;
  timezone: string;
}

export type ScheduleParse = TableParse<ScheduleRow>;

const DAYS: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

function time(value: string): string | undefined {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) return undefined;
  return `${m[1]!.padStart(2, '0')}:${m[2]}:${m[3] ?? '00'}`;
}

/** The Kafka key of a schedule row: the upsert key Flink's upsert-kafka source reads. */
export function scheduleKey(courseId: string, section: string): string {
  return JSON.stringify({ course_id: courseId, section });
}

/** Reads the schedule file: its rows, the rows refused one by one, or why the whole file is. */
export function parseSchedule(text: string, timezone: string): ScheduleParse {
  return parseCsvTable(text, SCHEDULE_COLUMNS, (get): RowResult<ScheduleRow> => {
    const aps = get('aps')
      .split(/[;|]/)
      .map((a) => a.trim())
      .filter(Boolean);
    const dayText = get('weekday').toLowerCase();
    const weekday = /^[1-7]$/.test(dayText) ? Number(dayText) : DAYS[dayText.slice(0, 3)];
    const start = time(get('start_time'));
    const end = time(get('end_time'));
    const enrolled = Number(get('enrolled'));
    const error = (reason: string) => ({ error: reason });
    if (!get('course_id') || !get('section')) return error('course_id and section are required');
    if (aps.length === 0) return error('aps lists no access point');
    if (weekday === undefined) return error(`weekday "${get('weekday')}" is not 1-7 or Mon..Sun`);
    if (!start || !end)
      return error(
        `start_time/end_time must be HH:mm[:ss], got "${get('start_time')}" and "${get('end_time')}"`,
      );
    if (start >= end) return error(`class ends (${end}) before it starts (${start})`);
    if (!Number.isInteger(enrolled) || enrolled < 0)
      return error(`enrolled "${get('enrolled')}" is not a whole number`);
    return {
      key: scheduleKey(get('course_id'), get('section')),
      row: {
        course_id: get('course_id'),
        section: get('section'),
        room: get('room'),
        aps,
        aps_csv: aps.join(','),
        weekday,
        start_time: start,
        end_time: end,
        enrolled,
        timezone,
      },
    };
  });
}
