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

export interface ScheduleParse {
  rows: { key: string; row: ScheduleRow; line: number; offset: number }[];
  errors: { line: number; offset: number; raw: string; reason: string }[];
}

const DAYS: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

/** Splits one CSV line, honouring double quotes ("" escapes a quote). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

function time(value: string): string | undefined {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) return undefined;
  return `${m[1]!.padStart(2, '0')}:${m[2]}:${m[3] ?? '00'}`;
}

/** The Kafka key of a schedule row: the upsert key Flink's upsert-kafka source reads. */
export function scheduleKey(courseId: string, section: string): string {
  return JSON.stringify({ course_id: courseId, section });
}

export function parseSchedule(text: string, timezone: string): ScheduleParse {
  const result: ScheduleParse = { rows: [], errors: [] };
  const lines = text.split('\n');
  let offset = 0;
  let header: string[] | undefined;
  const seen = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const lineOffset = offset;
    offset += Buffer.byteLength(lines[i]!, 'utf8') + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const cells = splitCsvLine(raw);
    if (!header) {
      header = cells.map((c) => c.toLowerCase());
      const missing = SCHEDULE_COLUMNS.filter((c) => !header!.includes(c));
      if (missing.length) {
        result.errors.push({
          line: i + 1,
          offset: lineOffset,
          raw,
          reason: `header lacks column(s) ${missing.join(', ')}`,
        });
        return result;
      }
      continue;
    }
    const get = (c: (typeof SCHEDULE_COLUMNS)[number]) => cells[header!.indexOf(c)] ?? '';
    const fail = (reason: string) =>
      result.errors.push({ line: i + 1, offset: lineOffset, raw, reason });
    const aps = get('aps')
      .split(/[;|]/)
      .map((a) => a.trim())
      .filter(Boolean);
    const dayText = get('weekday').toLowerCase();
    const weekday = /^[1-7]$/.test(dayText) ? Number(dayText) : DAYS[dayText.slice(0, 3)];
    const start = time(get('start_time'));
    const end = time(get('end_time'));
    const enrolled = Number(get('enrolled'));
    if (!get('course_id') || !get('section')) fail('course_id and section are required');
    else if (aps.length === 0) fail('aps lists no access point');
    else if (weekday === undefined) fail(`weekday "${get('weekday')}" is not 1-7 or Mon..Sun`);
    else if (!start || !end)
      fail(
        `start_time/end_time must be HH:mm[:ss], got "${get('start_time')}" and "${get('end_time')}"`,
      );
    else if (start >= end) fail(`class ends (${end}) before it starts (${start})`);
    else if (!Number.isInteger(enrolled) || enrolled < 0)
      fail(`enrolled "${get('enrolled')}" is not a whole number`);
    else {
      const key = scheduleKey(get('course_id'), get('section'));
      if (seen.has(key)) {
        fail(`duplicate of line ${seen.get(key)} (same course_id and section)`);
        continue;
      }
      seen.set(key, i + 1);
      result.rows.push({
        key,
        line: i + 1,
        offset: lineOffset,
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
      });
    }
  }
  return result;
}
