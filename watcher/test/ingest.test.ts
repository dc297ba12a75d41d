/**
 * The watcher against the real broker: formats, rotation, truncation, partial lines, new and
 * deleted files, schedule edits, and the dead-letter topic.
 */
import { appendFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { formatClfTime } from '../src/formats/clf.js';
import {
  RECENT_MS,
  readTopics,
  setup,
  sleep,
  startWatcher,
  stopWatcher,
  webLine,
  type Rec,
} from './helpers.js';

const paths = (records: Rec[], topic: string) =>
  records
    .filter((r) => r.topic === topic && r.value)
    .map((r) => r.value!.path as string)
    .sort();

describe('watcher ingest', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child) await stopWatcher(child);
    child = undefined;
  });

  it('ships each format to its topic, honouring offsets and the campus zone', async () => {
    // Old logs, as a replay: no limit on their age.
    const s = await setup({ lineSource: { maxAgeMs: null } });
    const first = '83.149.9.216 - - [17/May/2015:10:05:03 +0800] "GET /a HTTP/1.1" 200 7 "-" "UA"';
    writeFileSync(
      join(s.logs, 'access.log'),
      `${first}\n83.149.9.216 - - [17/May/2015:10:05:03 -0700] "GET /b HTTP/1.1" 200 7 "-" "UA"\n`,
    );
    writeFileSync(
      join(s.logs, 'wifi.log'),
      '{"currentapname": "AZ-1F-16", "apname": "AZ-1F-14", "ssid": "CUHK(SZ)", "mac": "60-8c-4a-57-12-4d", "connecttime": "2019-09-02 15:23:02", "connectresult": "Success", "uppacketnum": 5565, "upbyte": 2070823, "downpacketnum": 3852, "downbyte": 2168987}\n',
    );
    writeFileSync(
      join(s.logs, 'schedule.csv'),
      'course_id,section,room,aps,weekday,start_time,end_time,enrolled\nCSC1001,L01,TA-101,TA-1F-01;TA-1F-02,1,09:00,10:50,40\nMAT2040,L02,TB-105,TB-1F-05,3,10:30,12:20,25\n',
    );
    child = startWatcher(s);
    const topics = [s.topics.access, s.topics.wifi, s.topics.schedule];
    const got = await readTopics(s.brokers, topics, (r) => r.length >= 5);
    const access = got.filter((r) => r.topic === s.topics.access).map((r) => r.value!);
    expect(access.map((v) => [v.path, v.ts_ms, v.source_offset])).toEqual([
      ['/a', Date.UTC(2015, 4, 17, 2, 5, 3), 0],
      ['/b', Date.UTC(2015, 4, 17, 17, 5, 3), Buffer.byteLength(first) + 1],
    ]);
    const wifi = got.find((r) => r.topic === s.topics.wifi)!;
    expect(wifi.key).toBe('60:8c:4a:57:12:4d');
    expect(wifi.value).toMatchObject({
      event_time: '2019-09-02 07:23:02.000',
      local_time: '2019-09-02 15:23:02',
      currentapname: 'AZ-1F-16',
    });
    const schedule = got.filter((r) => r.topic === s.topics.schedule);
    expect(schedule.map((r) => r.key).sort()).toEqual([
      '{"course_id":"CSC1001","section":"L01"}',
      '{"course_id":"MAT2040","section":"L02"}',
    ]);
    expect(schedule.find((r) => r.key!.includes('CSC1001'))!.value).toMatchObject({
      aps: ['TA-1F-01', 'TA-1F-02'],
      start_time: '09:00:00',
      weekday: 1,
      enrolled: 40,
    });

    // A row edited and a row removed: an upsert and a tombstone.
    writeFileSync(
      join(s.logs, 'schedule.csv'),
      'course_id,section,room,aps,weekday,start_time,end_time,enrolled\nCSC1001,L01,TA-101,TA-1F-01;TA-1F-02,1,09:00,10:50,55\n',
    );
    const after = await readTopics(s.brokers, [s.topics.schedule], (r) => r.length >= 4);
    // Order holds per key (one partition each): fold to the latest value of every key.
    const latest = new Map(after.map((r) => [r.key, r.value?.enrolled ?? null]));
    expect(Object.fromEntries(latest)).toEqual({
      '{"course_id":"CSC1001","section":"L01"}': 55,
      '{"course_id":"MAT2040","section":"L02"}': null,
    });
    expect(after).toHaveLength(4);
  });

  it('follows rename rotation, truncation, partial lines, new files on the glob and deleted files', async () => {
    const s = await setup();
    const log = join(s.logs, 'access.log');
    writeFileSync(log, [1, 2, 3].map((n) => webLine(n)).join('\n') + '\n');
    child = startWatcher(s);
    await readTopics(s.brokers, [s.topics.access], (r) => r.length >= 3);
    // A last line without its newline waits; its end completes it.
    appendFileSync(log, webLine(4).slice(0, 30));
    await sleep(800);
    appendFileSync(log, webLine(4).slice(30) + '\n' + webLine(5) + '\n');
    // Rename rotation: the old file gets a late line after the rename, then a new file starts.
    renameSync(log, join(s.logs, 'rotated.1'));
    appendFileSync(join(s.logs, 'rotated.1'), webLine(6) + '\n');
    writeFileSync(log, webLine(7) + '\n');
    // A new file matching the glob.
    writeFileSync(join(s.logs, 'access-2.log'), webLine(8) + '\n');
    await readTopics(s.brokers, [s.topics.access], (r) => r.length >= 8);
    // Truncation (as copytruncate does): read again from the start.
    truncateSync(log, 0);
    writeFileSync(log, webLine(9) + '\n');
    // A deleted file: what was written before the delete still arrives.
    appendFileSync(join(s.logs, 'access-2.log'), webLine(10) + '\n');
    rmSync(join(s.logs, 'access-2.log'));
    const got = await readTopics(s.brokers, [s.topics.access], (r) => r.length >= 10, 30_000);
    await sleep(1500);
    const all = await readTopics(s.brokers, [s.topics.access], () => false, 3_000);
    expect(paths(all, s.topics.access)).toEqual([
      '/n/1',
      '/n/10',
      '/n/2',
      '/n/3',
      '/n/4',
      '/n/5',
      '/n/6',
      '/n/7',
      '/n/8',
      '/n/9',
    ]);
    expect(got.length).toBeGreaterThanOrEqual(10);
  });

  it('sends malformed, oversize and non-UTF-8 lines to the DLQ with reason and position', async () => {
    const s = await setup({ maxLineBytes: 200 });
    const good = webLine(1);
    const oversize = `${'x'.repeat(500)}`;
    const badUtf8 = Buffer.concat([
      Buffer.from('10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "GET /\xff'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' HTTP/1.1" 200 1 "-" "x"'),
    ]);
    const file = join(s.logs, 'access.log');
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(`${good}\nnot a log line\n${oversize}\n`),
        badUtf8,
        Buffer.from(`\n${webLine(2)}\n`),
      ]),
    );
    child = startWatcher(s);
    const dlq = `${s.topics.access}.dlq`;
    const got = await readTopics(s.brokers, [s.topics.access, dlq], (r) => r.length >= 5);
    expect(paths(got, s.topics.access)).toEqual(['/n/1', '/n/2']);
    // DLQ records are keyed by position, so they spread over partitions: order them by offset.
    const refused = got
      .filter((r) => r.topic === dlq)
      .map((r) => r.value!)
      .sort((a, b) => (a.source_offset as number) - (b.source_offset as number));
    const start2 = good.length + 1;
    const start3 = start2 + 'not a log line'.length + 1;
    const start4 = start3 + oversize.length + 1;
    expect(refused.map((v) => [v.source_offset, v.reason])).toEqual([
      [start2, 'not a combined log line'],
      [start3, 'line longer than 200 bytes (kept its first 200)'],
      [start4, 'not valid UTF-8'],
    ]);
    expect(refused[0]).toMatchObject({
      raw: 'not a log line',
      source_file: file,
      source: 'web',
      topic: s.topics.access,
    });
    expect((refused[1]!.raw as string).length).toBe(200);
  });

  it('refuses a line whose record is larger than Kafka takes into the DLQ, and goes on', async () => {
    // Within the 1 MiB line limit, but its JSON record passes the default 1,000,000-byte
    // maxRecordBytes (the producer's record limit): it must not hold up the lines after it.
    const s = await setup();
    const huge = `10.0.0.9 - - [${formatClfTime(RECENT_MS)}] "GET /${'h'.repeat(999_900)} HTTP/1.1" 200 1 "-" "x"`;
    const file = join(s.logs, 'access.log');
    writeFileSync(file, `${webLine(1)}\n${huge}\n${webLine(2)}\n`);
    child = startWatcher(s);
    const dlq = `${s.topics.access}.dlq`;
    const got = await readTopics(s.brokers, [s.topics.access, dlq], (r) => r.length >= 3);
    expect(paths(got, s.topics.access)).toEqual(['/n/1', '/n/2']);
    const refused = got.filter((r) => r.topic === dlq).map((r) => r.value!);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      raw: huge,
      source_file: file,
      source_offset: webLine(1).length + 1,
      reason: expect.stringMatching(
        /^record of \d+ bytes is larger than maxRecordBytes \(1000000\)$/,
      ),
    });
  });
});
