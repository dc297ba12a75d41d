import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ConfigResourceTypes, Kafka, logLevel, type Producer } from 'kafkajs';
import {
  BROKERS,
  producer,
  randomName,
  startRelay,
  TestClient,
  testConfig,
  type Msg,
} from './relay-helpers.js';

const json = (v: unknown) => JSON.stringify(v);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const sqlTs = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

let kafka: Producer;
const apps: FastifyInstance[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  kafka = await producer();
});
afterAll(async () => {
  for (const c of clients) c.close();
  for (const app of apps) await app.close();
  await kafka.disconnect();
});

async function relayOn(env: Record<string, string>) {
  const relay = await startRelay(testConfig(env));
  apps.push(relay.app);
  return relay;
}
async function connect(url: string, headers: Record<string, string> = {}) {
  const c = await TestClient.open(url, headers);
  clients.push(c);
  return c;
}
const rowsOf = (m: Msg | undefined) =>
  (m?.rows ?? []) as Array<{ key: string; row: Record<string, unknown> }>;

describe('relay against the real broker', () => {
  it('rebuilds, after a restart, a snapshot equal to what the topics hold', async () => {
    const pvuvTopic = randomName('pvuv');
    const attTopic = randomName('attendance');
    const env = { RELAY_CHANNELS: `pvuv=${pvuvTopic}:window,attendance=${attTopic}:table` };
    const base = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
    // Ten one-minute windows in both timestamp styles Flink writes, a broken record, and an
    // attendance table with an update and a tombstone.
    const windows = Array.from({ length: 10 }, (_, i) => ({
      start: base + i * 60_000,
      end: base + (i + 1) * 60_000,
      pv: 10 + i,
      uv: 1 + i,
    }));
    // Written two hours ago (record time), before everything else: older than the span, so the
    // rebuild, which starts at the offsets of now minus the span, never reads it.
    await kafka.send({
      topic: pvuvTopic,
      messages: [
        {
          value: json({
            window_start: iso(base - 60_000),
            window_end: iso(base),
            pv: 999,
            uv: 999,
          }),
          timestamp: String(Date.now() - 2 * 3_600_000),
        },
      ],
    });
    await kafka.send({
      topic: pvuvTopic,
      messages: [
        ...windows.map((w, i) => ({
          value: json({
            window_start: i % 2 ? iso(w.start) : sqlTs(w.start),
            window_end: i % 2 ? iso(w.end) : sqlTs(w.end),
            pv: w.pv,
            uv: w.uv,
          }),
        })),
        { value: '{"window_start": "not a time"' },
      ],
    });
    const key = (course: string) =>
      json({ course_id: course, section: 'L01', class_date: '2026-11-23' });
    const row = (course: string, present: number) =>
      json({
        course_id: course,
        section: 'L01',
        class_date: '2026-11-23',
        present,
        enrolled: 40,
        rate: present / 40,
      });
    await kafka.send({
      topic: attTopic,
      messages: [
        { key: key('CSC1001'), value: row('CSC1001', 10) },
        { key: key('MAT2040'), value: row('MAT2040', 20) },
        { key: key('CSC1001'), value: row('CSC1001', 31) },
        { key: key('PHY1001'), value: row('PHY1001', 5) },
        { key: key('PHY1001'), value: null },
      ],
    });

    const first = await relayOn(env);
    await first.app.close();
    // More records while the relay is down; the next relay must see them too.
    await kafka.send({
      topic: attTopic,
      messages: [{ key: key('MAT2040'), value: row('MAT2040', 22) }],
    });
    const second = await relayOn(env);
    const c = await connect(second.url);
    c.send({ type: 'subscribe', channel: 'pvuv' });
    c.send({ type: 'subscribe', channel: 'attendance' });
    await c.until(() => c.of('snapshot').length === 2, 'two snapshots');

    const pv = rowsOf(c.of('snapshot', 'pvuv')[0]).map((r) => r.row);
    expect(pv).toEqual(
      windows.map((w) => ({ window_start: w.start, window_end: w.end, pv: w.pv, uv: w.uv })),
    );
    const att = rowsOf(c.of('snapshot', 'attendance')[0])
      .map((r) => [r.row.course_id, r.row.present, r.row.rate])
      .sort();
    expect(att).toEqual([
      ['CSC1001', 31, 31 / 40],
      ['MAT2040', 22, 22 / 40],
    ]);
    expect(second.app.relay.hub.stats().channels.pvuv?.malformed).toBe(1);
  });

  it('resumes a reconnecting client with exactly the updates it missed', async () => {
    const topic = randomName('pvuv');
    const { url } = await relayOn({ RELAY_CHANNELS: `pvuv=${topic}:window` });
    const a = await connect(url);
    a.send({ type: 'subscribe', channel: 'pvuv' });
    await a.until(() => a.of('snapshot').length === 1, 'snapshot');
    const base = Math.floor(Date.now() / 10_000) * 10_000;
    const send = (i: number) =>
      kafka.send({
        topic,
        messages: [
          {
            value: json({
              window_start: iso(base + i * 10_000 - 60_000),
              window_end: iso(base + i * 10_000),
              pv: i,
              uv: i,
            }),
          },
        ],
      });
    for (const i of [1, 2]) await send(i);
    await a.until(() => a.of('update').length === 2, 'two live updates');
    const snapshot = a.of('snapshot')[0] as Msg;
    const lastSeq = a.of('update').at(-1)?.seq as number;
    a.close();

    for (const i of [3, 4, 5]) await send(i);
    const b = await connect(url);
    // Give the relay time to read the missed records before asking for them.
    await new Promise((r) => setTimeout(r, 1500));
    b.send({ type: 'subscribe', channel: 'pvuv', resume: { epoch: snapshot.epoch, seq: lastSeq } });
    await b.until(() => b.of('update').length === 3, 'three missed updates');
    await new Promise((r) => setTimeout(r, 300));
    expect(b.of('snapshot')).toHaveLength(0);
    // Browsers can only JSON.parse text frames; every message must be one.
    expect(a.binaryFrames + b.binaryFrames).toBe(0);
    // Exactly the three missed sequence numbers, carrying the three missed records (the topic has
    // three partitions, so their relative order is the order the relay read them in).
    expect(b.of('update').map((m) => m.seq)).toEqual([lastSeq + 1, lastSeq + 2, lastSeq + 3]);
    expect(
      b
        .of('update')
        .map((m) => (m.row as { pv: number }).pv)
        .sort(),
    ).toEqual([3, 4, 5]);

    const stranger = await connect(url);
    stranger.send({
      type: 'subscribe',
      channel: 'pvuv',
      resume: { epoch: 'another-run', seq: lastSeq },
    });
    await stranger.until(() => stranger.messages.length > 0, 'an answer');
    expect(rowsOf(stranger.of('snapshot')[0]).map((r) => r.row.pv)).toEqual([1, 2, 3, 4, 5]);
  });

  it('cuts off a client that stops reading while another keeps receiving everything', async () => {
    const topic = randomName('bulk');
    const { app, url } = await relayOn({
      RELAY_CHANNELS: `bulk=${topic}:table`,
      RELAY_CLIENT_BUFFER_BYTES: String(512 * 1024),
    });
    const slow = await connect(url);
    const fast = await connect(url);
    for (const c of [slow, fast]) c.send({ type: 'subscribe', channel: 'bulk' });
    await fast.until(() => fast.of('snapshot').length === 1, 'fast snapshot');
    await slow.until(() => slow.of('snapshot').length === 1, 'slow snapshot');
    // The slow client's process stops reading its socket; the kernel buffers fill, then the relay's.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    const total = 4000;
    const padding = 'x'.repeat(2000);
    for (let batch = 0; batch < total / 500; batch++) {
      await kafka.send({
        topic,
        messages: Array.from({ length: 500 }, (_, i) => ({
          key: `k${batch * 500 + i}`,
          value: json({ n: batch * 500 + i, padding }),
        })),
      });
    }
    await fast.until(
      () => fast.of('update').length === total || fast.closeCode !== undefined,
      `all ${total} updates at the fast client`,
      60_000,
    );
    expect(fast.closeCode, 'the client that reads must never be cut off').toBeUndefined();
    const got = fast
      .of('update')
      .map((m) => (m.row as { n: number }).n)
      .sort((x, y) => x - y);
    expect(got).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(app.relay.hub.stats().slowConsumersCut).toBe(1);

    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await slow.until(() => slow.closeCode !== undefined, 'the slow client to see the close');
    expect(slow.closeCode).toBe(4008);
    expect(slow.of('update').length).toBeLessThan(total);
  });

  it('refuses browsers from origins that are not allowed', async () => {
    const { url } = await relayOn({
      RELAY_CHANNELS: `pvuv=${randomName('pvuv')}:window`,
      RELAY_ALLOWED_ORIGINS: 'http://dash.example',
    });
    await expect(TestClient.open(url, { Origin: 'http://evil.example' })).rejects.toThrow(
      'HTTP 403',
    );
    const ok = await connect(url, { Origin: 'http://dash.example' });
    ok.send({ type: 'subscribe', channel: 'pvuv' });
    await ok.until(() => ok.of('snapshot').length === 1, 'snapshot');
    expect(ok.of('snapshot')[0]).toMatchObject({ channel: 'pvuv', seq: 0, rows: [] });
  });

  it('creates a table channel’s topic compacted when it is the first to need it', async () => {
    const topic = randomName('attendance');
    await relayOn({ RELAY_CHANNELS: `attendance=${topic}:table` });
    const admin = new Kafka({
      clientId: 't',
      brokers: BROKERS,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
      });
      const policy = resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy');
      expect(policy?.configValue).toBe('compact');
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });
});
