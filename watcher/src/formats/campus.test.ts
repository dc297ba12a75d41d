import { describe, expect, it } from 'vitest';
import Value from 'typebox/value';
import {
  ClassRosterKey,
  ClassRosterRecord,
  DeviceRegistryKey,
  DeviceRegistryRecord,
  TermCalendarKey,
  TermCalendarRecord,
} from '@pulse/contracts';
import { parseCalendar, parseRegistry, parseRoster } from './campus.js';

const reasons = (p: { errors: { line: number; reason: string }[] }) =>
  p.errors.map((e) => [e.line, e.reason]);

describe('device registry CSV', () => {
  it('keys each device by its canonical MAC, whatever the case and separators', () => {
    const p = parseRegistry(
      'mac,student_id\n60-8C-4A-57-12-4D,120090001\n608c.4a57.1200,120090002\nzz:zz,120090003\n60:8c:4a:57:12:4d,120090004\naa:bb:cc:dd:ee:ff,\n',
    );
    expect(p.rows.map((r) => [r.key, r.row])).toEqual([
      ['{"mac":"60:8c:4a:57:12:4d"}', { mac: '60:8c:4a:57:12:4d', student_id: '120090001' }],
      ['{"mac":"60:8c:4a:57:12:00"}', { mac: '60:8c:4a:57:12:00', student_id: '120090002' }],
    ]);
    expect(reasons(p)).toEqual([
      [4, 'invalid mac "zz:zz"'],
      // The same device written another way is the same key: the first line stands.
      [5, 'duplicate of line 2 (same key {"mac":"60:8c:4a:57:12:4d"})'],
      [6, 'student_id is required'],
    ]);
    for (const { key, row } of p.rows) {
      expect(Value.Check(DeviceRegistryKey, JSON.parse(key))).toBe(true);
      expect(Value.Check(DeviceRegistryRecord, row)).toBe(true);
    }
  });

  it('refuses a file whose header lacks a column', () => {
    expect(parseRegistry('device,student\n60:8c:4a:57:12:4d,1\n').refused).toMatchObject({
      line: 1,
      reason: 'header lacks column(s) mac, student_id',
    });
  });
});

describe('class roster CSV', () => {
  it('keys each enrolment by the whole record; columns in any order, comments and blank lines skipped', () => {
    const p = parseRoster(
      '# spring rosters\nstudent_id,course_id,section\n\n120090001,CSC1001,L01\n120090001,MAT2040,L02\n,CSC1001,L01\n',
    );
    expect(p.rows.map((r) => JSON.parse(r.key))).toEqual([
      { course_id: 'CSC1001', section: 'L01', student_id: '120090001' },
      { course_id: 'MAT2040', section: 'L02', student_id: '120090001' },
    ]);
    expect(reasons(p)).toEqual([[6, 'course_id, section and student_id are required']]);
    for (const { key, row } of p.rows) {
      expect(Value.Check(ClassRosterKey, JSON.parse(key))).toBe(true);
      expect(Value.Check(ClassRosterRecord, row)).toBe(true);
      expect(JSON.parse(key)).toEqual(row);
    }
  });
});

describe('term calendar CSV', () => {
  it('reads terms and holidays as inclusive date ranges keyed by kind and first date', () => {
    const p = parseCalendar(
      'kind,first_date,last_date,name\nterm,2026-01-12,2026-05-15,"Spring, 2026"\nHoliday,2026-04-06,2026-04-06,Qingming\nbreak,2026-02-01,2026-02-07,x\nholiday,2026-02-30,2026-03-01,x\nterm,2026-09-10,2026-09-01,x\n',
    );
    expect(p.rows.map((r) => [r.key, r.row])).toEqual([
      [
        '{"kind":"term","first_date":"2026-01-12"}',
        { kind: 'term', first_date: '2026-01-12', last_date: '2026-05-15', name: 'Spring, 2026' },
      ],
      [
        '{"kind":"holiday","first_date":"2026-04-06"}',
        { kind: 'holiday', first_date: '2026-04-06', last_date: '2026-04-06', name: 'Qingming' },
      ],
    ]);
    expect(reasons(p)).toEqual([
      [4, 'kind "break" is not term or holiday'],
      [5, 'first_date/last_date must be yyyy-MM-dd, got "2026-02-30" and "2026-03-01"'],
      [6, 'last_date (2026-09-01) is before first_date (2026-09-10)'],
    ]);
    for (const { key, row } of p.rows) {
      expect(Value.Check(TermCalendarKey, JSON.parse(key))).toBe(true);
      expect(Value.Check(TermCalendarRecord, row)).toBe(true);
    }
  });
});
