import { describe, expect, it } from 'vitest';
import { Batch } from './batch.js';
import type { LineSourceConfig } from './config.js';
import { lineParser } from './formats/index.js';
import { linesToRecords, outOfBounds } from './records.js';
import { DEFAULT_MAX_AGE_MS, DEFAULT_MAX_FUTURE_SKEW_MS } from './config-file.js';
import { formatClfTime } from './formats/clf.js';
import { Metrics } from './metrics.js';
import { packRecords, unpackStrings } from './packed.js';

const source: LineSourceConfig = {
  name: 'web',
  paths: ['/logs/*.log'],
  format: 'combined',
  topic: 'access_log',
  timezone: 'UTC',
  visitorId: 'ip',
  republishIntervalMs: 0,
  maxFutureSkewMs: null,
  maxAgeMs: null,
  heartbeatMs: null,
};
const line = '1.2.3.4 - - [01/Jan/2026:00:00:01 +0000] "GET /x HTTP/1.1" 200 5 "-" "UA"';

describe('linesToRecords', () => {
  it('notes the latest event time it sent per topic, which the heartbeats carry on', () => {
    const batch = new Batch();
    const at = (second: string, offset: number) => ({
      offset,
      bytes: Buffer.from(line.replace('00:00:01', `00:00:${second}`)),
      oversize: false,
    });
    const parser = lineParser('combined', { timezone: 'UTC', visitorId: 'ip' });
    const limits = { ...source, maxFutureSkewMs: 0 };
    // The line dated 00:00:59 is ahead of the clock (00:00:30) and refused: its time does not count.
    linesToRecords(
      [at('07', 0), at('12', 100), at('09', 200), at('59', 300)],
      {
        source: limits,
        parser,
        path: '/logs/a.log',
        maxLineBytes: 1024,
        now: Date.UTC(2026, 0, 1, 0, 0, 30),
      },
      batch,
      () => {},
    );
    expect(batch.eventTimes).toEqual(new Map([['access_log', Date.UTC(2026, 0, 1, 0, 0, 12)]]));
    expect(new Batch().eventTimes.size).toBe(0);
  });

  it('sends parsed lines to the topic and refused ones to the DLQ with reason and position', () => {
    const batch = new Batch();
    const refused: string[] = [];
    const lines = [
      { offset: 0, bytes: Buffer.from(`${line}\r`), oversize: false },
      { offset: 80, bytes: Buffer.from('   '), oversize: false },
      { offset: 84, bytes: Buffer.from('nonsense'), oversize: false },
      { offset: 93, bytes: Buffer.from([0x41, 0xff, 0x42]), oversize: false },
      { offset: 97, bytes: Buffer.from('x'.repeat(64)), oversize: true },
    ];
    const parser = lineParser('combined', { timezone: 'UTC', visitorId: 'ip' });
    linesToRecords(lines, { source, parser, path: '/logs/a.log', maxLineBytes: 64 }, batch, (s) =>
      refused.push(s.name),
    );
    const data = batch.byTopic.get('access_log')!;
    expect(data.keys.map((k, i) => [k, JSON.parse(data.values[i]!).user_agent])).toEqual([
      ['1.2.3.4', 'UA'],
    ]);
    const dlqRecords = batch.byTopic.get('access_log.dlq')!;
    const dlq = dlqRecords.keys.map((k, i) => [k, JSON.parse(dlqRecords.values[i]!)]);
    expect(dlq).toEqual([
      [
        '/logs/a.log:84',
        {
          raw: 'nonsense',
          source_file: '/logs/a.log',
          source_offset: 84,
          reason: 'not a combined log line',
          source: 'web',
          topic: 'access_log',
        },
      ],
      [
        '/logs/a.log:93',
        {
          raw: 'A\ufffdB',
          source_file: '/logs/a.log',
          source_offset: 93,
          reason: 'not valid UTF-8',
          source: 'web',
          topic: 'access_log',
        },
      ],
      [
        '/logs/a.log:97',
        {
          raw: 'x'.repeat(64),
          source_file: '/logs/a.log',
          source_offset: 97,
          reason: 'line longer than 64 bytes (kept its first 64)',
          source: 'web',
          topic: 'access_log',
        },
      ],
    ]);
    expect(refused).toEqual(['web', 'web', 'web']);
  });
});

describe('record size limits', () => {
  it('sends a line whose record is larger than maxRecordBytes to the DLQ, with the sizes', () => {
    const batch = new Batch();
    const long = `1.2.3.4 - - [01/Jan/2026:00:00:01 +0000] "GET /${'p'.repeat(3000)} HTTP/1.1" 200 5 "-" "UA"`;
    const short = line;
    const parser = lineParser('combined', { timezone: 'UTC', visitorId: 'ip' });
    linesToRecords(
      [
        { offset: 0, bytes: Buffer.from(long), oversize: false },
        { offset: 4000, bytes: Buffer.from(short), oversize: false },
      ],
      { source, parser, path: '/logs/a.log', maxLineBytes: 8192, maxRecordBytes: 2048 },
      batch,
      () => {},
    );
    expect(batch.byTopic.get('access_log')!.keys).toHaveLength(1);
    const dlq = batch.byTopic.get('access_log.dlq')!;
    const refused = JSON.parse(dlq.values[0]!);
    const parsed = parser(long, { sourceFile: '/logs/a.log', offset: 0 });
    const recordBytes = parsed.ok ? Buffer.byteLength(parsed.json) : 0;
    expect(refused).toMatchObject({
      raw: long,
      source_offset: 0,
      reason: `record of ${recordBytes} bytes is larger than maxRecordBytes (2048)`,
    });
  });

  it('cuts a DLQ record whose escapes would make it larger than the DLQ topic takes', () => {
    const batch = new Batch();
    // 40,000 control bytes: within the line limit, but 240,000 bytes once escaped (\u0001) in JSON.
    const raw = '\u0001'.repeat(40_000);
    linesToRecords(
      [{ offset: 7, bytes: Buffer.from(raw), oversize: false }],
      {
        source,
        parser: lineParser('combined', { timezone: 'UTC', visitorId: 'ip' }),
        path: '/logs/a.log',
        maxLineBytes: 40_000,
      },
      batch,
      () => {},
    );
    const value = batch.byTopic.get('access_log.dlq')!.values[0]!;
    // The DLQ topic takes maxLineBytes + 64 KiB; the record is kept within maxLineBytes + 32 KiB.
    expect(Buffer.byteLength(value)).toBeLessThanOrEqual(40_000 + 32 * 1024);
    const record = JSON.parse(value);
    expect(record.raw.length).toBeGreaterThan(1000);
    expect(raw.slice(0, record.raw.length)).toBe(record.raw);
    expect(record).toMatchObject({
      source_offset: 7,
      reason: 'not a combined log line (raw text cut to fit the DLQ record size)',
    });
  });
});

describe('packRecords', () => {
  it('packs values into one buffer and gives each back whole, ASCII or not, null as null', () => {
    const values = ['{"a":1}', null, '{"ü":"日本"}', '', '{"z":"😀"}'];
    const packed = packRecords(['k1', 'k2', 'k3', 'k4', 'k5'], values);
    expect(packed.count).toBe(5);
    expect(unpackStrings(packed.values)).toEqual(values);
    expect(packed.values.bytes.length).toBe(
      values.reduce((n, v) => n + (v === null ? 0 : Buffer.byteLength(v)), 0),
    );
  });
});

describe('odd lines', () => {
  it('sends a line read past an oddity to the topic and counts each kind, shown in /metrics', () => {
    const batch = new Batch();
    const metrics = new Metrics();
    const odd = [
      '2001:db8::7 - - [01/Jan/2026:00:00:01 +0000] "GET /a HTTP/1.1" 200 - "-" "Mozilla/5.0 (Win',
      '1.2.3.4 - - [01/Jan/2026:00:00:02 +0000] "\\x16\\x03\\x01" 400 0 "-" "-"',
    ];
    linesToRecords(
      [line, ...odd].map((l, i) => ({ offset: i * 200, bytes: Buffer.from(l), oversize: false })),
      {
        source,
        parser: lineParser('combined', { timezone: 'UTC', visitorId: 'ip' }),
        path: '/logs/a.log',
        maxLineBytes: 4096,
      },
      batch,
      () => {
        throw new Error('nothing here belongs in the DLQ');
      },
      { onWarning: (s, kind) => metrics.addByKind(metrics.lineWarnings, s.name, kind) },
    );
    expect(batch.byTopic.get('access_log')!.keys).toEqual(['1.2.3.4', '2001:db8::7', '1.2.3.4']);
    expect(batch.byTopic.has('access_log.dlq')).toBe(false);
    expect(metrics.prometheus()).toContain(
      'watcher_line_warnings_total{source="web",kind="cut_user_agent"} 1\n' +
        'watcher_line_warnings_total{source="web",kind="invalid_request"} 1\n',
    );
  });
});

describe('event times the jobs cannot take', () => {
  const now = Date.UTC(2026, 11, 6, 12, 0, 0);
  const at = (ms: number, path: string) =>
    `1.2.3.4 - - [${formatClfTime(ms)}] "GET ${path} HTTP/1.1" 200 5 "-" "UA"`;

  it('sends a line dated beyond the skew or older than the max age to the DLQ, saying why', () => {
    const batch = new Batch();
    const lines = [
      at(Date.UTC(2031, 0, 1), '/far-future'),
      at(now + 9 * 60_000, '/slightly-ahead'),
      at(now - 8 * 86_400_000, '/too-old'),
      at(now - 6 * 86_400_000, '/six-days-late'),
    ].map((l, i) => ({ offset: i * 100, bytes: Buffer.from(l), oversize: false }));
    linesToRecords(
      lines,
      {
        source: {
          ...source,
          maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS,
          maxAgeMs: DEFAULT_MAX_AGE_MS,
        },
        parser: lineParser('combined', { timezone: 'UTC', visitorId: 'ip' }),
        path: '/logs/a.log',
        maxLineBytes: 4096,
        now,
      },
      batch,
      () => {},
    );
    const sent = batch.byTopic.get('access_log')!.values.map((v) => JSON.parse(v!).path);
    expect(sent).toEqual(['/slightly-ahead', '/six-days-late']);
    const refused = batch.byTopic.get('access_log.dlq')!.values.map((v) => JSON.parse(v!));
    expect(refused.map((r) => [r.source_offset, r.reason])).toEqual([
      [
        0,
        "event time 2031-01-01 00:00:00.000 UTC is further ahead of the watcher's clock (2026-12-06 12:00:00.000 UTC) than maxFutureSkewMs (600000 ms)",
      ],
      [
        200,
        "event time 2026-11-28 12:00:00.000 UTC is older than maxAgeMs (604800000 ms) before the watcher's clock (2026-12-06 12:00:00.000 UTC)",
      ],
    ]);
  });

  it('lets everything through when the limits are null (a replay of old logs)', () => {
    expect(outOfBounds(0, { maxFutureSkewMs: null, maxAgeMs: null }, now)).toBeUndefined();
    expect(outOfBounds(now * 2, { maxFutureSkewMs: null, maxAgeMs: 0 }, now)).toBeUndefined();
  });
});

describe('skipped lines', () => {
  it('counts associations to other SSIDs as skipped: neither sent nor refused', () => {
    const batch = new Batch();
    const metrics = new Metrics();
    const wifi: LineSourceConfig = {
      ...source,
      name: 'wifi',
      format: 'wifi-json',
      topic: 'wifi_log',
      ssids: ['eduroam'],
    };
    const assoc = (ssid: string) =>
      JSON.stringify({
        mac: '60-8C-4A-57-12-4D',
        ssid,
        currentapname: 'A',
        connecttime: '2026-01-01 00:00:00',
      });
    linesToRecords(
      [assoc('eduroam'), assoc('Guest'), assoc('Guest')].map((l, i) => ({
        offset: i * 200,
        bytes: Buffer.from(l),
        oversize: false,
      })),
      {
        source: wifi,
        parser: lineParser('wifi-json', { timezone: 'UTC', visitorId: 'ip', ssids: wifi.ssids }),
        path: '/logs/wifi.log',
        maxLineBytes: 4096,
      },
      batch,
      () => {
        throw new Error('nothing here belongs in the DLQ');
      },
      { onSkip: (s, kind) => metrics.addByKind(metrics.linesSkipped, s.name, kind) },
    );
    expect(batch.byTopic.get('wifi_log')!.keys).toEqual(['60:8c:4a:57:12:4d']);
    expect(batch.byTopic.has('wifi_log.dlq')).toBe(false);
    expect(metrics.prometheus()).toContain(
      'watcher_lines_skipped_total{source="wifi",kind="ssid"} 2\n',
    );
  });
});
