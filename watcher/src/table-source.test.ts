import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Batch } from './batch.js';
import type { ScheduleSourceConfig } from './config.js';
import { scheduleKey } from './formats/index.js';
import type { StoredState } from './offsets.js';
import { ScheduleSources, scheduleStateKey } from './schedule-source.js';

const HEADER = 'course_id,section,room,aps,weekday,start_time,end_time,enrolled\n';
const CSC = 'CSC1001,L01,TA-101,TA-1F-01;TA-1F-02,1,09:00,10:50,40\n';
const MAT = 'MAT2040,L02,TB-105,TB-1F-05,3,10:30,12:20,25\n';
const HOUR = 3600_000;

function setup(text: string | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'schedule-'));
  const file = join(dir, 'schedule.csv');
  if (text !== undefined) writeFileSync(file, text);
  const source: ScheduleSourceConfig = {
    name: 'schedule',
    paths: [file],
    format: 'schedule-csv',
    topic: 'course_schedule',
    timezone: 'Asia/Shanghai',
    visitorId: 'ip',
    republishIntervalMs: 12 * HOUR,
  };
  const refused: string[] = [];
  const schedules = new ScheduleSources([source], (s) => refused.push(s.name));
  return { file, source, schedules, refused };
}

/** What a batch publishes: each row's key with its course and room, or null for a tombstone. */
function published(batch: Batch) {
  const list = batch.byTopic.get('course_schedule');
  if (!list) return [];
  return list.keys.map((k, i) => {
    const v = list.values[i] ?? null;
    return [k, v === null ? null : (JSON.parse(v) as { room: string }).room];
  });
}

async function fill(schedules: ScheduleSources, now: number): Promise<Batch> {
  const batch = new Batch();
  await schedules.fill(batch, now);
  return batch;
}

const csc = scheduleKey('CSC1001', 'L01');
const mat = scheduleKey('MAT2040', 'L02');

describe('ScheduleSources', () => {
  it('publishes the whole file first, then only what changed, and tombstones rows that left', async () => {
    const { file, source, schedules } = setup(HEADER + CSC + MAT);
    const first = await fill(schedules, 0);
    expect(published(first)).toEqual([
      [csc, 'TA-101'],
      [mat, 'TB-105'],
    ]);
    // The state goes with the rows, in the same batch.
    const state = JSON.parse(first.state.get(scheduleStateKey(source))!) as StoredState;
    expect(state.kind).toBe('schedule');

    expect((await fill(schedules, HOUR)).empty).toBe(true);

    writeFileSync(file, HEADER + CSC.replace('TA-101', 'TA-202'));
    expect(published(await fill(schedules, 2 * HOUR))).toEqual([
      [csc, 'TA-202'],
      [mat, null],
    ]);
  });

  it('publishes every row again when the republish interval has passed, even unchanged', async () => {
    const { schedules } = setup(HEADER + CSC + MAT);
    await fill(schedules, 0);
    expect((await fill(schedules, 12 * HOUR - 1)).empty).toBe(true);
    expect(published(await fill(schedules, 12 * HOUR))).toEqual([
      [csc, 'TA-101'],
      [mat, 'TB-105'],
    ]);
  });

  it('sends bad rows to the DLQ and keeps the published schedule when the file is unreadable', async () => {
    const { file, schedules, refused } = setup(HEADER + CSC + 'X,L9,R,AP,9,09:00,10:00,1\n');
    const first = await fill(schedules, 0);
    expect(published(first)).toEqual([[csc, 'TA-101']]);
    expect(first.byTopic.get('course_schedule.dlq')?.keys).toEqual([
      `${file}:${Buffer.byteLength(HEADER + CSC)}`,
    ]);
    expect(refused).toEqual(['schedule']);

    writeFileSync(file, 'courses,broken\n' + CSC);
    const broken = await fill(schedules, HOUR);
    expect(published(broken)).toEqual([]); // no tombstones: the old schedule stands
    expect(broken.byTopic.get('course_schedule.dlq')?.keys).toHaveLength(1);

    writeFileSync(file, HEADER + CSC);
    expect((await fill(schedules, 2 * HOUR)).byTopic.get('course_schedule')).toBeUndefined();
  });

  it('takes up from the state restored from Kafka instead of publishing the same file again', async () => {
    const before = setup(HEADER + CSC + MAT);
    const first = await fill(before.schedules, 0);
    const stored = new Map<string, StoredState>([
      [
        scheduleStateKey(before.source),
        JSON.parse(first.state.get(scheduleStateKey(before.source))!) as StoredState,
      ],
    ]);
    const after = new ScheduleSources([before.source], () => {});
    after.restore(stored);
    expect((await fill(after, HOUR)).empty).toBe(true);
    writeFileSync(before.file, HEADER + MAT);
    expect(published(await fill(after, 2 * HOUR))).toEqual([[csc, null]]);
  });

  it('does not take a missing file for an empty schedule', async () => {
    const { file, schedules } = setup(HEADER + CSC);
    await fill(schedules, 0);
    rmSync(file);
    expect((await fill(schedules, HOUR)).empty).toBe(true);
  });
});
