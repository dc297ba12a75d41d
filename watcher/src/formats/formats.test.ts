import { describe, expect, it } from 'vitest';
import Value from 'typebox/value';
import {
  AccessLogRecord,
  CourseScheduleKey,
  CourseScheduleRecord,
  WifiLogRecord,
} from '@pulse/contracts';
import { clfParser } from './clf.js';
import type { LineContext, LineParser } from './types.js';
import { parseSchedule, scheduleKey } from './schedule.js';
import { wifiParser } from './wifi.js';
import { naiveToUtc } from './zone.js';

const ctx = { sourceFile: '/logs/access.log', offset: 1234 };

/** The parser with each record's JSON read back into a value, to compare field by field. */
function decoded(parser: LineParser) {
  return (line: string, c: LineContext) => {
    const r = parser(line, c);
    return r.ok
      ? { ok: true as const, key: r.key, value: JSON.parse(r.json) as Record<string, unknown> }
      : r;
  };
}

describe('combined and common log format', () => {
  const combined = decoded(clfParser('combined', 'ip'));
  it.each([
    ['+0800', Date.UTC(2015, 4, 17, 2, 5, 3)],
    ['-0700', Date.UTC(2015, 4, 17, 17, 5, 3)],
    ['+0000', Date.UTC(2015, 4, 17, 10, 5, 3)],
    ['+0530', Date.UTC(2015, 4, 17, 4, 35, 3)],
  ])('honours the offset %s as written', (offset, utc) => {
    const r = combined(
      `83.149.9.216 - - [17/May/2015:10:05:03 ${offset}] "GET /index.html HTTP/1.1" 200 203023 "http://semicomplete.com/" "Mozilla/5.0 (X11)"`,
      ctx,
    );
    expect(r.ok && r.value.ts_ms).toBe(utc);
    expect(r.ok && r.value.event_time).toBe(
      new Date(utc).toISOString().replace('T', ' ').replace('Z', ''),
    );
  });

  it('writes the same record whether or not the line needs JSON escapes', () => {
    const plain = clfParser('combined', 'ip+ua')(
      '10.1.2.3 - - [01/Jan/2026:00:00:01 +0000] "GET /課程/é?q=1 HTTP/1.1" 200 7 "https://x/" "Mozilla/5.0 (X11)"',
      { sourceFile: '/logs/a "b".log', offset: 9 },
    );
    expect(plain.ok && JSON.parse(plain.json)).toEqual({
      event_time: '2026-01-01 00:00:01.000',
      ts_ms: Date.UTC(2026, 0, 1, 0, 0, 1),
      client_ip: '10.1.2.3',
      visitor_id: '10.1.2.3|Mozilla/5.0 (X11)',
      method: 'GET',
      path: '/課程/é?q=1',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes: 7,
      referrer: 'https://x/',
      user_agent: 'Mozilla/5.0 (X11)',
      source_file: '/logs/a "b".log',
      source_offset: 9,
    });
    const escaped = clfParser('combined', 'ip')(
      'a"b - - [01/Jan/2026:00:00:01 +0000] "GET /\\x HTTP/1.1" 200 7 "-" "tab\there"',
      ctx,
    );
    expect(escaped.ok && JSON.parse(escaped.json)).toMatchObject({
      client_ip: 'a"b',
      path: '/\\x',
      user_agent: 'tab\there',
    });
  });

  it('reads every field and keys the record by visitor', () => {
    const r = combined(
      '10.1.2.3 - alice [01/Jan/2026:00:00:01 +0000] "POST /login?x=1 HTTP/2.0" 302 - "-" "curl/8.0 \\"quoted\\""',
      ctx,
    );
    expect(r).toEqual({
      ok: true,
      key: '10.1.2.3',
      value: {
        event_time: '2026-01-01 00:00:01.000',
        ts_ms: Date.UTC(2026, 0, 1, 0, 0, 1),
        client_ip: '10.1.2.3',
        visitor_id: '10.1.2.3',
        method: 'POST',
        path: '/login?x=1',
        protocol: 'HTTP/2.0',
        status: 302,
        bytes: 0,
        referrer: '-',
        user_agent: 'curl/8.0 \\"quoted\\"',
        source_file: '/logs/access.log',
        source_offset: 1234,
      },
    });
  });

  it('uses ip + user agent as the visitor when configured', () => {
    const r = decoded(clfParser('combined', 'ip+ua'))(
      '1.1.1.1 - - [01/Jan/2026:00:00:01 +0000] "GET / HTTP/1.1" 200 5 "-" "UA"',
      ctx,
    );
    expect(r.ok && r.key).toBe('1.1.1.1|UA');
  });

  it('reads common format, and refuses what is not a log line', () => {
    const common = decoded(clfParser('common', 'ip'));
    expect(
      common('1.1.1.1 - - [01/Jan/2026:00:00:01 +0000] "GET / HTTP/1.0" 404 12', ctx),
    ).toMatchObject({ ok: true, value: { status: 404, user_agent: '-' } });
    expect(combined('garbage line', ctx)).toEqual({ ok: false, reason: 'not a combined log line' });
    expect(
      combined('1.1.1.1 - - [32/Jan/2026:00:00:01 +0000] "GET / HTTP/1.1" 200 5 "-" "UA"', ctx),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('invalid time') });
  });
});

describe('access logs as they are', () => {
  const combined = decoded(clfParser('combined', 'ip'));
  const head = '66.249.66.1 - - [06/Dec/2026:10:00:00 +0000]';
  const read = (line: string) => {
    const r = clfParser('combined', 'ip')(line, ctx);
    if (!r.ok) throw new Error(`refused: ${r.reason}`);
    return { value: JSON.parse(r.json) as Record<string, unknown>, warnings: r.warnings ?? [] };
  };

  it('counts a line whose user agent was cut (no closing quote), keeping it as written', () => {
    const r = read(
      `${head} "GET /courses/csc1001 HTTP/1.1" 200 5120 "https://www.cuhk.edu.cn/" "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Ge`,
    );
    expect(r.value).toMatchObject({
      method: 'GET',
      path: '/courses/csc1001',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes: 5120,
      referrer: 'https://www.cuhk.edu.cn/',
      user_agent:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Ge',
    });
    expect(r.warnings).toEqual(['cut_user_agent']);
  });

  it('counts a line cut inside the referrer, or right after the bytes', () => {
    const cut = read(`${head} "GET /a HTTP/1.1" 200 12 "https://www.google.com/search?q=cuhk`);
    expect(cut.value).toMatchObject({
      referrer: 'https://www.google.com/search?q=cuhk',
      user_agent: '-',
    });
    expect(cut.warnings).toEqual(['cut_referrer']);
    const bare = read(`${head} "GET /a HTTP/1.1" 304 0`);
    expect(bare.value).toMatchObject({ status: 304, referrer: '-', user_agent: '-' });
    expect(bare.warnings).toEqual(['no_referrer_agent']);
    const noBytes = read(`${head} "GET /a HTTP/1.1" 499`);
    expect(noBytes.value).toMatchObject({ status: 499, bytes: 0 });
    expect(noBytes.warnings).toEqual(['no_bytes', 'no_referrer_agent']);
  });

  it('reads "-" bytes as 0 and an IPv6 client as written, with no warning', () => {
    const r = combined(
      '2001:da8:201d:1102::1f - - [06/Dec/2026:10:00:00 +0800] "HEAD /healthz HTTP/2.0" 200 - "-" "kube-probe/1.29"',
      ctx,
    );
    expect(r).toMatchObject({
      ok: true,
      key: '2001:da8:201d:1102::1f',
      value: { client_ip: '2001:da8:201d:1102::1f', method: 'HEAD', bytes: 0, status: 200 },
    });
    expect(
      clfParser('combined', 'ip')(
        '::1 - - [06/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 - "-" "curl/8.5.0"',
        ctx,
      ),
    ).not.toHaveProperty('warnings');
  });

  it('keeps a request that is not HTTP as written (TLS on the plain port, "-")', () => {
    const tls = read(
      `${head} "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03" 400 157 "-" "-"`,
    );
    expect(tls.value).toMatchObject({
      method: '',
      path: '\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03',
      protocol: '',
      status: 400,
      bytes: 157,
    });
    expect(tls.warnings).toEqual(['invalid_request']);
    const dash = read(`${head} "-" 408 0 "-" "-"`);
    expect(dash.value).toMatchObject({ method: '', path: '-', protocol: '', status: 408 });
    expect(dash.warnings).toEqual(['invalid_request']);
    // HTTP/0.9 has no protocol; a path with a space is kept whole.
    expect(read(`${head} "GET /" 200 5 "-" "-"`).value).toMatchObject({ path: '/', protocol: '' });
    expect(read(`${head} "GET /a b.html HTTP/1.0" 404 5 "-" "-"`)).toMatchObject({
      value: { path: '/a b.html', protocol: 'HTTP/1.0' },
      warnings: [],
    });
  });

  it('ignores fields appended after the agent (nginx "main" adds X-Forwarded-For)', () => {
    const r = read(`${head} "GET /a HTTP/1.1" 200 5 "-" "UA/1" "10.0.0.7, 10.0.0.8" 0.004`);
    expect(r).toEqual({ value: expect.objectContaining({ user_agent: 'UA/1' }), warnings: [] });
  });

  it('sends what lacks host, time, request or status to the DLQ, saying which', () => {
    expect(combined(`${head} "GET /a HTTP/1.1" - 512 "-" "UA"`, ctx)).toEqual({
      ok: false,
      reason: 'not a combined log line: no status after the request',
    });
    expect(combined(`${head} "GET /a-very-long-path-cut-by-a-crash`, ctx)).toEqual({
      ok: false,
      reason: 'not a combined log line: the request has no closing quote',
    });
    expect(combined(`${head} GET /a 200 5`, ctx)).toEqual({
      ok: false,
      reason: 'not a combined log line: no quoted request after the time',
    });
    expect(combined('66.249.66.1 - - "GET / HTTP/1.1" 200 5', ctx)).toEqual({
      ok: false,
      reason: 'not a combined log line',
    });
  });
});

describe('naive campus times', () => {
  it('reads Asia/Shanghai (UTC+8, no DST)', () => {
    expect(naiveToUtc('2019-09-02 15:23:02', 'Asia/Shanghai')).toBe(Date.UTC(2019, 8, 2, 7, 23, 2));
  });

  it('follows a DST change: before and after, the gap moves forward, the repeated hour takes the first', () => {
    // America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST.
    expect(naiveToUtc('2026-03-08 01:30:00', 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 6, 30));
    expect(naiveToUtc('2026-03-08 03:30:00', 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 7, 30));
    expect(naiveToUtc('2026-03-08 02:30:00', 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 7, 30));
    expect(naiveToUtc('2026-11-01 01:30:00', 'America/New_York')).toBe(
      Date.UTC(2026, 10, 1, 5, 30),
    );
    expect(naiveToUtc('2026-11-01 03:00:00', 'America/New_York')).toBe(Date.UTC(2026, 10, 1, 8, 0));
  });

  it('refuses impossible times', () => {
    expect(naiveToUtc('2019-02-30 10:00:00', 'UTC')).toBeUndefined();
    expect(naiveToUtc('yesterday', 'UTC')).toBeUndefined();
  });
});

describe('campus Wi-Fi JSON', () => {
  const parse = decoded(wifiParser('Asia/Shanghai'));
  it('reads the controller record, keeping the campus-local time', () => {
    const r = parse(
      '{"currentapname": "AZ-1F-16", "apname": "AZ-1F-14", "ssid": "CUHK(SZ)", "mac": "60-8C-4a-57-12-4d", "connecttime": "2019-09-02 15:23:02", "connectresult": "Success", "uppacketnum": 5565, "upbyte": 2070823, "downpacketnum": 3852, "downbyte": 2168987}',
      ctx,
    );
    expect(r).toEqual({
      ok: true,
      key: '60:8c:4a:57:12:4d',
      value: {
        event_time: '2019-09-02 07:23:02.000',
        ts_ms: Date.UTC(2019, 8, 2, 7, 23, 2),
        local_time: '2019-09-02 15:23:02',
        mac: '60:8c:4a:57:12:4d',
        apname: 'AZ-1F-14',
        currentapname: 'AZ-1F-16',
        ssid: 'CUHK(SZ)',
        connectresult: 'Success',
        uppacketnum: 5565,
        upbyte: 2070823,
        downpacketnum: 3852,
        downbyte: 2168987,
        source_file: '/logs/access.log',
        source_offset: 1234,
      },
    });
  });

  it('says why it refuses a record', () => {
    expect(parse('{"mac": "x"', ctx)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('invalid JSON'),
    });
    expect(
      parse('{"mac": "608c4a57124d", "currentapname": "A", "connecttime": "soon"}', ctx),
    ).toEqual({
      ok: false,
      reason: 'invalid connecttime "soon"',
    });
    expect(parse('[1,2]', ctx)).toEqual({ ok: false, reason: 'not a JSON object' });
  });
});

describe('MACs and SSIDs', () => {
  const line = (mac: string, ssid = 'CUHK(SZ)') =>
    JSON.stringify({ mac, ssid, currentapname: 'TA-1F-01', connecttime: '2026-12-06 10:00:00' });

  it('writes every MAC in one form: lower-case hex pairs joined by colons', () => {
    const parse = decoded(wifiParser('Asia/Shanghai'));
    for (const mac of [
      '60-8c-4a-57-12-4d',
      '60:8C:4A:57:12:4D',
      '608c.4a57.124d',
      '608C4A57124D',
    ]) {
      expect(parse(line(mac), ctx), mac).toMatchObject({
        ok: true,
        key: '60:8c:4a:57:12:4d',
        value: { mac: '60:8c:4a:57:12:4d' },
      });
    }
    expect(parse(line('60-8c-4a-57-12'), ctx)).toEqual({
      ok: false,
      reason: 'invalid mac "60-8c-4a-57-12"',
    });
    expect(parse(line('unknown'), ctx)).toMatchObject({ ok: false });
  });

  it('skips associations to networks outside the ssids filter, without refusing them', () => {
    const parse = decoded(wifiParser('Asia/Shanghai', ['CUHK(SZ)', 'eduroam']));
    expect(parse(line('608c4a57124d', 'eduroam'), ctx)).toMatchObject({ ok: true });
    expect(parse(line('608c4a57124d', 'CUHK(SZ)-Guest'), ctx)).toEqual({
      ok: false,
      reason: 'ssid',
      skip: true,
    });
    expect(
      parse(
        JSON.stringify({
          mac: '608c4a57124d',
          currentapname: 'A',
          connecttime: '2026-12-06 10:00:00',
        }),
        ctx,
      ),
    ).toMatchObject({ ok: false, skip: true });
  });
});

describe('course schedule CSV', () => {
  it('reads rows, normalises times and weekdays, and reports bad rows with their line', () => {
    const csv =
      'course_id,section,room,aps,weekday,start_time,end_time,enrolled\nCSC1001,L01,TA-101,"TA-1F-01;TA-1F-02",Mon,9:00,10:50,40\nMAT2040,L02,TB-105,TB-1F-05,3,10:30:00,12:20:00,25\nBAD,L1,R,AP,9,10:00,11:00,5\n';
    const parsed = parseSchedule(csv, 'Asia/Shanghai');
    expect(parsed.rows.map((r) => r.row)).toEqual([
      {
        course_id: 'CSC1001',
        section: 'L01',
        room: 'TA-101',
        aps: ['TA-1F-01', 'TA-1F-02'],
        aps_csv: 'TA-1F-01,TA-1F-02',
        weekday: 1,
        start_time: '09:00:00',
        end_time: '10:50:00',
        enrolled: 40,
        timezone: 'Asia/Shanghai',
      },
      {
        course_id: 'MAT2040',
        section: 'L02',
        room: 'TB-105',
        aps: ['TB-1F-05'],
        aps_csv: 'TB-1F-05',
        weekday: 3,
        start_time: '10:30:00',
        end_time: '12:20:00',
        enrolled: 25,
        timezone: 'Asia/Shanghai',
      },
    ]);
    expect(parsed.rows[0]!.key).toBe(scheduleKey('CSC1001', 'L01'));
    expect(parsed.errors).toEqual([
      {
        line: 4,
        offset: csv.indexOf('BAD'),
        raw: 'BAD,L1,R,AP,9,10:00,11:00,5',
        reason: 'weekday "9" is not 1-7 or Mon..Sun',
      },
    ]);
  });
});

describe('records match the shared contract Flink reads', () => {
  it('access_log, wifi_log and course_schedule values and keys', () => {
    const web = decoded(clfParser('combined', 'ip'))(
      '1.1.1.1 - - [01/Jan/2026:00:00:01 +0800] "GET / HTTP/1.1" 200 5 "-" "UA"',
      ctx,
    );
    const wifi = decoded(wifiParser('Asia/Shanghai'))(
      '{"mac": "60:8c:4a:57:12:4d", "currentapname": "A", "connecttime": "2019-09-02 15:23:02"}',
      ctx,
    );
    const schedule = parseSchedule(
      'course_id,section,room,aps,weekday,start_time,end_time,enrolled\nC1,L1,R,AP1,Tue,8:00,9:00,3\n',
      'UTC',
    ).rows[0]!;
    expect(web.ok && Value.Check(AccessLogRecord, web.value)).toBe(true);
    expect(wifi.ok && Value.Check(WifiLogRecord, wifi.value)).toBe(true);
    expect(Value.Check(CourseScheduleRecord, schedule.row)).toBe(true);
    expect(Value.Check(CourseScheduleKey, JSON.parse(schedule.key))).toBe(true);
    expect(JSON.parse(schedule.key)).toEqual({ course_id: 'C1', section: 'L1' });
  });
});
