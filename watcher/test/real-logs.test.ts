/**
 * Real logs against the real broker: odd lines that are still requests reach the topic (and are
 * counted as warnings in /metrics), lines the jobs cannot take reach the DLQ with their reason,
 * and a far-future line does not hold up the good line after it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { formatClfTime } from '../src/formats/clf.js';
import { RECENT_MS, readTopics, setup, startWatcher, stopWatcher } from './helpers.js';

describe('real access logs', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child) await stopWatcher(child);
    child = undefined;
  });

  it('counts odd requests, refuses what has no status or lies years ahead, and goes on', async () => {
    const s = await setup();
    const t = `[${formatClfTime(RECENT_MS, 480)}]`;
    const lines = [
      `10.0.0.1 - - ${t} "GET /first HTTP/1.1" 200 512 "-" "Mozilla/5.0"`,
      `10.0.0.2 - - ${t} "GET /cut-agent HTTP/1.1" 200 512 "https://www.cuhk.edu.cn/" "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWe`,
      `2001:da8:201d:1102::1f - - ${t} "GET /ipv6 HTTP/2.0" 304 - "-" "curl/8.5.0"`,
      `10.0.0.3 - - ${t} "\\x16\\x03\\x01\\x00\\xF7\\x01\\x00\\x00\\xF3\\x03\\x03" 400 157 "-" "-"`,
      `10.0.0.4 - - ${t} "GET /no-status HTTP/1.1" - 0 "-" "-"`,
      `10.0.0.5 - - [01/Jan/2031:00:00:00 +0000] "GET /far-future HTTP/1.1" 200 5 "-" "clock-skewed"`,
      `10.0.0.6 - - ${t} "GET /after HTTP/1.1" 200 9 "-" "Mozilla/5.0"`,
    ];
    const file = join(s.logs, 'access.log');
    writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
    child = startWatcher(s);
    const dlq = `${s.topics.access}.dlq`;
    const got = await readTopics(s.brokers, [s.topics.access, dlq], (r) => r.length >= 7);
    const sent = got.filter((r) => r.topic === s.topics.access).map((r) => r.value!);
    expect(sent.map((v) => v.path).sort()).toEqual(
      [
        '/first',
        '/cut-agent',
        '/ipv6',
        '\\x16\\x03\\x01\\x00\\xF7\\x01\\x00\\x00\\xF3\\x03\\x03',
        '/after',
      ].sort(),
    );
    expect(sent.find((v) => v.path === '/ipv6')).toMatchObject({
      client_ip: '2001:da8:201d:1102::1f',
      bytes: 0,
      ts_ms: RECENT_MS,
    });
    expect(sent.find((v) => v.path === '/cut-agent')!.user_agent).toBe(
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWe',
    );
    const offsetOf = (i: number) =>
      lines.slice(0, i).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    const refused = got
      .filter((r) => r.topic === dlq)
      .map((r) => [r.value!.source_offset, r.value!.reason])
      .sort((a, b) => (a[0] as number) - (b[0] as number));
    expect(refused).toEqual([
      [offsetOf(4), 'not a combined log line: no status after the request'],
      [
        offsetOf(5),
        expect.stringMatching(
          /^event time 2031-01-01 00:00:00\.000 UTC is further ahead of the watcher's clock \(.+\) than maxFutureSkewMs \(600000 ms\)$/,
        ),
      ],
    ]);
    const metrics = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
    expect(metrics).toContain('watcher_line_warnings_total{source="web",kind="cut_user_agent"} 1');
    expect(metrics).toContain('watcher_line_warnings_total{source="web",kind="invalid_request"} 1');
    expect(metrics).toContain('watcher_dlq_records_total{source="web"} 2');
  });
});
