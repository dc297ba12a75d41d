import { describe, expect, it } from 'vitest';
import { Compile } from 'typebox/compile';
import {
  DeviceRegistryRecord,
  HeartbeatRecord,
  TermCalendarRecord,
  canonicalMac,
  isHeartbeat,
} from './records.js';

describe('canonicalMac', () => {
  it('writes every spelling of one MAC the same way', () => {
    for (const raw of [
      '60-8c-4a-57-12-4d',
      '60:8C:4A:57:12:4D',
      '608c.4a57.124d',
      '608C4A57124D',
      ' 60-8C-4a-57-12-4d ',
    ])
      expect(canonicalMac(raw), raw).toBe('60:8c:4a:57:12:4d');
  });

  it('refuses what is not a MAC', () => {
    for (const raw of ['', '60-8c-4a-57-12', '60-8c-4a-57-12-4d-00', 'gg:8c:4a:57:12:4d', 'x'])
      expect(canonicalMac(raw), raw).toBeUndefined();
  });
});

describe('campus table records', () => {
  it('accept canonical MACs and calendar dates only', () => {
    const registry = Compile(DeviceRegistryRecord);
    expect(registry.Check({ mac: '60:8c:4a:57:12:4d', student_id: '120090001' })).toBe(true);
    expect(registry.Check({ mac: '60-8C-4A-57-12-4D', student_id: '120090001' })).toBe(false);
    const calendar = Compile(TermCalendarRecord);
    expect(
      calendar.Check({
        kind: 'holiday',
        first_date: '2026-04-06',
        last_date: '2026-04-06',
        name: 'Qingming',
      }),
    ).toBe(true);
    expect(
      calendar.Check({ kind: 'exam', first_date: '2026-04-06', last_date: '2026-04-06', name: '' }),
    ).toBe(false);
  });
});

describe('heartbeat records', () => {
  it('are told apart from lines by their heartbeat field alone', () => {
    const beat = { heartbeat: true, event_time: '2026-03-01 22:00:00.000', ts_ms: 1772402400000 };
    expect(Compile(HeartbeatRecord).Check(beat)).toBe(true);
    expect(isHeartbeat(beat)).toBe(true);
    for (const line of [
      { event_time: beat.event_time, ts_ms: beat.ts_ms, visitor_id: '10.0.0.1', path: '/' },
      { ...beat, heartbeat: false },
      { ...beat, heartbeat: 'true' },
      null,
      'heartbeat',
    ])
      expect(isHeartbeat(line), JSON.stringify(line)).toBe(false);
  });
});
