import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Batch } from './batch.js';
import type { TableSourceConfig } from './config.js';
import type { TableFormat } from './formats/index.js';
import { scheduleKey } from './formats/index.js';
import type { StoredState } from './offsets.js';
import { TableSources } from './table-source.js';
import { tableStateKey } from './table-state.js';

const HEADER = 'course_id,section,room,aps,weekday,start_time,end_time,enrolled\n';
const CSC = 'CSC1001,L01,TA-101,TA-1F-01;TA-1F-02,1,09:00,10:50,40\n';
const MAT = 'MAT2040,L02,TB-105,TB-1F-05,3,10:30,12:20,25\n';
const HOUR = 3600_000;

function setup(
  files: Record<string, string>,
  { format = 'schedule-csv', paths }: { format?: TableFormat; paths?: string[] } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'tables-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const topic = format === 'schedule-csv' ? 'course_schedule' : format;
  const source: TableSourceConfig = {
    name: 'table',
    paths: (paths ?? Object.keys(files)).map((p) => join(dir, p)),
    format,
    topic,
    timezone: 'Asia/Shanghai',
    visitorId: 'ip',
    republishIntervalMs: 12 * HOUR,
  };
  const refused: string[] = [];
  const warnings: unknown[] = [];
  const log = { warn: (obj: unknown) => void warnings.push(obj) } as never;
  const tables = new TableSources([source], (s) => refused.push(s.name), log);
  const file = (name: string) => join(dir, name);
  return { dir, file, source, tables, refused, warnings, topic };
}

/** What a batch publishes to a topic: [key, value] pairs, null for a tombstone. */
function published(batch: Batch, topic = 'course_schedule') {
  const list = batch.byTopic.get(topic);
  if (!list) return [];
  return list.keys.map((k, i) => [k, list.values[i] ?? null] as const);
}

/** The schedule rows a batch publishes: each key with its room, or null for a tombstone. */
const rooms = (batch: Batch) =>
  published(batch).map(([k, v]) => [
    k,
    v === null ? null : (JSON.parse(v) as { room: string }).room,
  ]);

async function fill(tables: TableSources, now: number): Promise<Batch> {
  const batch = new Batch();
  await tables.fill(batch, now);
  return batch;
}

/** The offsets-topic records a batch carries, read back as the watcher restores them. */
function stored(...batches: Batch[]): Map<string, StoredState> {
  const out = new Map<string, StoredState>();
  for (const b of batches)
    for (const [k, v] of b.state)
      if (v === null) out.delete(k);
      else out.set(k, JSON.parse(v) as StoredState);
  return out;
}

const csc = scheduleKey('CSC1001', 'L01');
const mat = scheduleKey('MAT2040', 'L02');

describe('TableSources', () => {
  it('publishes the whole file first, then only what changed, and tombstones rows that left', async () => {
    const { file, tables } = setup({ 'schedule.csv': HEADER + CSC + MAT });
    const first = await fill(tables, 0);
    expect(rooms(first)).toEqual([
      [csc, 'TA-101'],
      [mat, 'TB-105'],
    ]);
    // The state goes with the rows, in the same batch.
    expect(stored(first).get(tableStateKey('table'))?.kind).toBe('table');

    expect((await fill(tables, HOUR)).empty).toBe(true);

    writeFileSync(file('schedule.csv'), HEADER + CSC.replace('TA-101', 'TA-202'));
    expect(rooms(await fill(tables, 2 * HOUR))).toEqual([
      [csc, 'TA-202'],
      [mat, null],
    ]);
  });

  it('publishes every row again when the republish interval has passed, even unchanged', async () => {
    const { tables } = setup({ 'schedule.csv': HEADER + CSC + MAT });
    await fill(tables, 0);
    expect((await fill(tables, 12 * HOUR - 1)).empty).toBe(true);
    expect(rooms(await fill(tables, 12 * HOUR))).toEqual([
      [csc, 'TA-101'],
      [mat, 'TB-105'],
    ]);
  });

  it('sends bad rows to the DLQ and publishes the good ones', async () => {
    const { file, tables, refused } = setup({
      'schedule.csv': HEADER + CSC + 'X,L9,R,AP,9,09:00,10:00,1\n',
    });
    const first = await fill(tables, 0);
    expect(rooms(first)).toEqual([[csc, 'TA-101']]);
    const dlq = published(first, 'course_schedule.dlq');
    expect(dlq.map(([k]) => k)).toEqual([
      `${file('schedule.csv')}:${Buffer.byteLength(HEADER + CSC)}`,
    ]);
    expect(JSON.parse(dlq[0]![1]!)).toMatchObject({
      reason: 'line 3: weekday "9" is not 1-7 or Mon..Sun',
      source_file: file('schedule.csv'),
    });
    expect(refused).toEqual(['table']);
  });

  it('refuses an empty or unreadable file with a DLQ record naming it, and keeps its last good rows', async () => {
    const { file, tables } = setup({ 'schedule.csv': HEADER + CSC + MAT });
    await fill(tables, 0);
    const reasons = (b: Batch) =>
      published(b, 'course_schedule.dlq').map(([, v]) => {
        const r = JSON.parse(v!) as { source_file: string; reason: string };
        return [r.source_file, r.reason];
      });

    // An editor saving in two steps: the file is empty for a moment.
    writeFileSync(file('schedule.csv'), '');
    const empty = await fill(tables, HOUR);
    expect(published(empty)).toEqual([]); // no tombstones: the old schedule stands
    expect(reasons(empty)).toEqual([
      [
        file('schedule.csv'),
        'file refused, its last good rows stay published: line 1: the file is empty',
      ],
    ]);
    expect((await fill(tables, HOUR + 1)).empty).toBe(true); // refused once, not at every poll

    writeFileSync(file('schedule.csv'), 'courses,broken\n' + CSC);
    expect(reasons(await fill(tables, 2 * HOUR))).toEqual([
      [
        file('schedule.csv'),
        'file refused, its last good rows stay published: line 1: header lacks column(s) course_id, section, room, aps, weekday, start_time, end_time, enrolled',
      ],
    ]);

    // Every row bad: refused as a whole too, not an empty schedule.
    writeFileSync(file('schedule.csv'), HEADER + 'X,L9,R,AP,9,09:00,10:00,1\n');
    const bad = await fill(tables, 3 * HOUR);
    expect(published(bad)).toEqual([]);
    expect(reasons(bad).map(([, r]) => r)).toEqual([
      'line 2: weekday "9" is not 1-7 or Mon..Sun',
      'file refused, its last good rows stay published: line 1: none of its 1 row(s) can be read',
    ]);

    // The republish still sends the last good rows of the refused file.
    expect(rooms(await fill(tables, 12 * HOUR))).toEqual([
      [csc, 'TA-101'],
      [mat, 'TB-105'],
    ]);

    // Fixed: diffed against the last good rows, so only the row that left is sent.
    writeFileSync(file('schedule.csv'), HEADER + CSC);
    expect(rooms(await fill(tables, 13 * HOUR))).toEqual([[mat, null]]);
  });

  it('merges several files of a source; a key in two files takes the row of the later file name, and says so', async () => {
    const { file, tables, warnings } = setup(
      {
        'a.csv': HEADER + CSC + MAT,
        'b.csv': HEADER + MAT.replace('TB-105', 'TB-999'),
      },
      { paths: ['*.csv'] },
    );
    expect(rooms(await fill(tables, 0))).toEqual([
      [csc, 'TA-101'],
      [mat, 'TB-999'],
    ]);
    expect(warnings).toEqual([
      expect.objectContaining({
        keys: 1,
        examples: [{ key: mat, files: [file('a.csv'), file('b.csv')], winner: file('b.csv') }],
      }),
    ]);
    // An edit of one file does not churn the other's rows.
    writeFileSync(file('a.csv'), HEADER + CSC.replace('TA-101', 'TA-303') + MAT);
    expect(rooms(await fill(tables, HOUR))).toEqual([[csc, 'TA-303']]);
    // The winning file gives the key up: the other file's row is published, not a tombstone.
    writeFileSync(file('b.csv'), HEADER);
    expect(rooms(await fill(tables, 2 * HOUR))).toEqual([[mat, 'TB-105']]);
  });

  it('keeps the rows of a file that went missing, and drops those of a file the source no longer names', async () => {
    const { file, source, tables } = setup({
      'schedule.csv': HEADER + CSC,
      'extra.csv': HEADER + MAT,
    });
    const first = await fill(tables, 0);
    rmSync(file('schedule.csv'));
    expect((await fill(tables, HOUR)).empty).toBe(true);

    const narrowed = new TableSources([{ ...source, paths: [file('schedule.csv')] }], () => {}, {
      warn: () => {},
    } as never);
    narrowed.restore(stored(first));
    writeFileSync(file('schedule.csv'), HEADER + CSC);
    expect(rooms(await fill(narrowed, 3 * HOUR))).toEqual([[mat, null]]);
  });

  it('takes up from the state restored from Kafka, however many records it takes', async () => {
    // 20,000 enrolments: more than one offsets-topic record of state.
    const roster =
      'course_id,section,student_id\n' +
      Array.from({ length: 20_000 }, (_, i) => `C${i % 400},L01,S${i}\n`).join('');
    const before = setup({ 'rosters.csv': roster }, { format: 'roster-csv' });
    const first = await fill(before.tables, 0);
    expect(published(first, 'roster-csv')).toHaveLength(20_000);
    const parts = [...first.state.keys()].filter((k) => k.startsWith(`${tableStateKey('table')}#`));
    expect(parts.length).toBeGreaterThan(1);
    for (const v of first.state.values()) expect(v!.length).toBeLessThan(512 * 1024);

    const after = new TableSources([before.source], () => {}, { warn: () => {} } as never);
    after.restore(stored(first));
    expect((await fill(after, HOUR)).empty).toBe(true);
    writeFileSync(before.file('rosters.csv'), roster.replace('C1,L01,S1\n', ''));
    const removed = await fill(after, 2 * HOUR);
    expect(published(removed, 'roster-csv')).toEqual([
      [JSON.stringify({ course_id: 'C1', section: 'L01', student_id: 'S1' }), null],
    ]);
  });

  it('takes over from an older watcher’s schedule state: republishes and tombstones what left', async () => {
    const { tables, source } = setup({ 'schedule.csv': HEADER + CSC });
    const legacy = new Map<string, StoredState>([
      [
        'schedule:table',
        {
          kind: 'schedule',
          state: {
            source: 'table',
            contentHash: 'x',
            rows: { [csc]: 'h1', [mat]: 'h2' },
            publishedAt: 0,
          },
        },
      ],
    ]);
    tables.restore(legacy);
    const first = await fill(tables, HOUR);
    expect(rooms(first)).toEqual([
      [csc, 'TA-101'],
      [mat, null],
    ]);
    expect(first.state.get(`schedule:${source.name}`)).toBeNull();
  });

  it('publishes registry MACs in the canonical form of the Wi-Fi records', async () => {
    const { tables } = setup(
      { 'registry.csv': 'mac,student_id\n60-8C-4A-57-12-4D,120090001\n' },
      { format: 'registry-csv' },
    );
    expect(published(await fill(tables, 0), 'registry-csv')).toEqual([
      ['{"mac":"60:8c:4a:57:12:4d"}', '{"mac":"60:8c:4a:57:12:4d","student_id":"120090001"}'],
    ]);
  });
});
