/**
 * web_analytics.sql on the real cluster: every output (per minute, per hour, today so far, top
 * pages, referrers and 404s) equals what web-expectations.ts computes from the same generated
 * log, across a campus-local midnight; and the job's panels come back from validation.
 */
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { REPO_ROOT } from '@pulse/stack';
import { privateControlPlane, privateJobsDir } from './private-jobs.js';
import {
  brokers,
  createTopics,
  deleteTopics,
  produce,
  readUntil,
  sqlTimestamp,
  uid,
} from './kafka-helpers.js';
import { generateRequests } from './web-log.js';
import { freshDatabase, jdbcOf } from './history-helpers.js';
import {
  lastPerKey,
  perHour,
  perMinute,
  today,
  topLists,
  type Request,
} from './web-expectations.js';

const TOKEN = 'test-operator-token-web';
const DELAY_S = 5;
const TOP_WINDOW_MIN = 10;
const TOP_N = 5;
// 15:35 to 16:25 UTC: across midnight in Shanghai (16:00 UTC), so two campus days.
const START = Date.UTC(2026, 2, 1, 15, 35, 0);
const SPAN_S = 50 * 60;
const SITE_HOSTS = ['campus.example.edu', 'www.campus.example.edu'];

function record(r: Request, i: number) {
  return {
    key: r.visitor,
    value: JSON.stringify({
      event_time: sqlTimestamp(r.t),
      ts_ms: r.t,
      client_ip: r.ip,
      visitor_id: r.visitor,
      method: r.method,
      path: r.path,
      protocol: 'HTTP/1.1',
      status: r.status,
      bytes: r.bytes,
      referrer: r.referrer,
      user_agent: r.agent,
      source_file: '/logs/access.log',
      source_offset: i * 200,
    }),
  };
}

describe('web_analytics job', () => {
  let app: FastifyInstance;
  const id = uid();
  const jobName = `web_analytics_test_${id}`;
  const jobs = privateJobsDir(join(REPO_ROOT, 'jobs', 'sql'), 'web_analytics', jobName);
  const topics = {
    ACCESS_TOPIC: `access-${id}`,
    WEB_MINUTE_TOPIC: `web-minute-${id}`,
    WEB_HOUR_TOPIC: `web-hour-${id}`,
    WEB_TODAY_TOPIC: `web-today-${id}`,
    WEB_TOP_PAGES_TOPIC: `web-top-pages-${id}`,
    WEB_TOP_REFERRERS_TOPIC: `web-top-referrers-${id}`,
    WEB_TOP_404_TOPIC: `web-top-404-${id}`,
  };
  const variables = {
    ...topics,
    GROUP_PREFIX: `web-${id}`,
    BROKERS: brokers,
    WATERMARK_DELAY: String(DELAY_S),
    TOP_WINDOW: String(TOP_WINDOW_MIN),
    TOP_N: String(TOP_N),
    SITE_HOSTS: SITE_HOSTS.join(', '),
    CHECKPOINT_INTERVAL: '2 s',
  };

  // The job also upserts the history's traffic tables: into a database of its own.
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  beforeAll(async () => {
    app = await privateControlPlane(jobs.dir, TOKEN);
    db = await freshDatabase('pulse_web_analytics');
  });

  afterAll(async () => {
    await app.close();
    await db?.drop();
    await deleteTopics(Object.values(topics));
    jobs.remove();
  });

  it('declares its panels, checked against its outputs at validation', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/jobs/web_analytics/validate',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { variables },
    });
    expect(res.statusCode, res.body).toBe(200);
    const { panels } = res.json() as {
      panels: { panel: string; kind: string; channel: string; values: string[] }[];
    };
    expect(panels.map((p) => [p.panel, p.kind, p.channel])).toEqual([
      ['web_today', 'figure', topics.WEB_TODAY_TOPIC],
      ['web_traffic', 'timeseries', topics.WEB_MINUTE_TOPIC],
      ['web_hourly', 'timeseries', topics.WEB_HOUR_TOPIC],
      ['web_status', 'bar', topics.WEB_MINUTE_TOPIC],
      ['web_errors', 'timeseries', topics.WEB_MINUTE_TOPIC],
      ['web_bandwidth', 'timeseries', topics.WEB_MINUTE_TOPIC],
      ['web_bots', 'bar', topics.WEB_MINUTE_TOPIC],
      ['web_top_pages', 'top', topics.WEB_TOP_PAGES_TOPIC],
      ['web_top_referrers', 'top', topics.WEB_TOP_REFERRERS_TOPIC],
      ['web_top_404', 'top', topics.WEB_TOP_404_TOPIC],
    ]);
  });

  it('writes, for every closed window and campus day, the figures computed from the same log', async () => {
    await createTopics([
      { topic: topics.ACCESS_TOPIC },
      { topic: topics.WEB_MINUTE_TOPIC, partitions: 1 },
      { topic: topics.WEB_HOUR_TOPIC, partitions: 1 },
      ...[
        topics.WEB_TODAY_TOPIC,
        topics.WEB_TOP_PAGES_TOPIC,
        topics.WEB_TOP_REFERRERS_TOPIC,
        topics.WEB_TOP_404_TOPIC,
      ].map((topic) => ({ topic, partitions: 1, compact: true })),
    ]);
    const requests = generateRequests(6_000, START, SPAN_S, 17);
    // One request per partition, a day later: its watermark closes every window of the log, and
    // it is counted on a third campus day.
    const flushAt = Math.max(...requests.map((r) => r.t)) + 24 * 3600_000;
    const flush: Request[] = [0, 1, 2].map((p) => ({
      t: flushAt,
      visitor: `flush-${p}`,
      ip: '::1',
      method: 'GET',
      path: '/healthz',
      status: 200,
      bytes: 2,
      referrer: '-',
      agent: '-',
    }));
    await produce(topics.ACCESS_TOPIC, requests.map(record));
    await produce(
      topics.ACCESS_TOPIC,
      flush.map((r, partition) => ({ partition, ...record(r, requests.length + partition) })),
    );
    const minutes = perMinute(requests);
    const hours = perHour(requests);
    const days = today([...requests, ...flush]);
    const tops = topLists(requests, TOP_WINDOW_MIN, TOP_N, SITE_HOSTS);
    expect(days.size).toBe(3);
    expect(hours.size).toBe(2);

    const res = await app.inject({
      method: 'POST',
      url: '/api/jobs/web_analytics/deploy',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { variables: { ...variables, ...jdbcOf(db.url) }, start: 'earliest' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const { jobId } = res.json() as { jobId: string };
    try {
      const values = (records: { value: string | null }[]) =>
        records.map((r) => JSON.parse(r.value!) as Record<string, unknown>);
      const settled =
        (expected: Map<string, unknown>, key: string[]) =>
        (records: { key: string | null; value: string | null }[]) =>
          isDeepStrictEqual(lastPerKey(records, key), expected);
      const RANK = ['window_end', 'rank_no'];
      const [minuteOut, hourOut, todayOut, pagesOut, referrersOut, notFoundOut] = await Promise.all(
        [
          readUntil(topics.WEB_MINUTE_TOPIC, (r) => r.length >= minutes.size, 150_000),
          readUntil(topics.WEB_HOUR_TOPIC, (r) => r.length >= hours.size, 150_000),
          readUntil(topics.WEB_TODAY_TOPIC, settled(days, ['campus_day']), 150_000),
          readUntil(topics.WEB_TOP_PAGES_TOPIC, settled(tops.pages, RANK), 150_000),
          readUntil(topics.WEB_TOP_REFERRERS_TOPIC, settled(tops.referrers, RANK), 150_000),
          readUntil(topics.WEB_TOP_404_TOPIC, settled(tops.notFound, RANK), 150_000),
        ],
      );

      const minuteRows = values(minuteOut);
      expect(minuteRows.length).toBe(minutes.size); // each window once
      expect(new Map(minuteRows.map((w) => [w.window_end as string, w]))).toEqual(minutes);
      const hourRows = values(hourOut);
      expect(hourRows.length).toBe(hours.size);
      expect(new Map(hourRows.map((w) => [w.window_end as string, w]))).toEqual(hours);

      expect(lastPerKey(todayOut, ['campus_day'])).toEqual(days);
      expect(lastPerKey(pagesOut, RANK)).toEqual(tops.pages);
      expect(lastPerKey(referrersOut, RANK)).toEqual(tops.referrers);
      expect(lastPerKey(notFoundOut, RANK)).toEqual(tops.notFound);

      // The same minute aggregates, upserted into the history's traffic table.
      const fromMinutes = new Map(
        [...minutes.values()].map((m) => [
          m.window_start as string,
          {
            pv: m.requests,
            uv: m.visitors,
            status_2xx: m.status_2xx,
            status_3xx: m.status_3xx,
            status_4xx: m.status_4xx,
            status_5xx: m.status_5xx,
            status_other:
              (m.requests as number) -
              ['status_2xx', 'status_3xx', 'status_4xx', 'status_5xx']
                .map((k) => m[k] as number)
                .reduce((a, b) => a + b, 0),
          },
        ]),
      );
      const readTraffic = async () =>
        new Map(
          (
            await db.pool.query(
              `SELECT to_char(bucket_start, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS k, pv, uv, status_2xx, status_3xx, status_4xx, status_5xx, status_other FROM traffic_minute`,
            )
          ).rows.map(({ k, ...rest }: Record<string, unknown>) => [k as string, rest]),
        );
      let traffic = await readTraffic();
      for (let i = 0; i < 30 && !isDeepStrictEqual(traffic, fromMinutes); i++) {
        await new Promise((done) => setTimeout(done, 1000));
        traffic = await readTraffic();
      }
      expect(traffic).toEqual(fromMinutes);
    } finally {
      await app.flink.cancelJob(jobId).catch(() => {});
    }
  });
});
