import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Admin, ConfigResourceTypes } from 'kafkajs';
import { dlqTopicSpec, topicSpec, TOPICS, type TopicSpec } from '../src/topics.js';
import { provisionTopics } from '../src/kafka/provision.js';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const run = randomUUID().slice(0, 8);
let admin: Admin;

async function settings(topic: string): Promise<Record<string, string>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
  });
  return Object.fromEntries(
    (resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]),
  );
}

beforeAll(async () => {
  admin = new Kafka({ clientId: 'provision-test', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});
afterAll(async () => {
  const mine = (await admin.listTopics()).filter((t) => t.includes(run));
  if (mine.length) await admin.deleteTopics({ topics: mine });
  await admin.disconnect();
});

describe('provisionTopics on the real broker', () => {
  it('creates a DLQ topic that takes a refused line of 1 MiB', async () => {
    const spec = dlqTopicSpec(`access_log_${run}`);
    const report = await provisionTopics(admin, [spec], { defaultPartitions: 2 });
    expect(report.created).toEqual([spec.name]);
    const producer = new Kafka({ clientId: 'p', brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const line = 'x'.repeat(1024 * 1024);
    const value = JSON.stringify({ raw: line, reason: 'line longer than maxLineBytes' });
    await producer.send({ topic: spec.name, messages: [{ key: 'a.log:0', value }] });
    await producer.disconnect();
    const offsets = await admin.fetchTopicOffsets(spec.name);
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(1);
  });

  it('gives a table topic compaction whoever created it first, and says what it changed', async () => {
    const attendance = topicSpec(TOPICS.attendance)!;
    const spec: TopicSpec = { ...attendance, name: `attendance_${run}` };
    // Created as a plain topic first, as an auto-creating client would.
    await admin.createTopics({ topics: [{ topic: spec.name, numPartitions: 1 }] });
    expect((await settings(spec.name))['cleanup.policy']).toBe('delete');
    const report = await provisionTopics(admin, [spec], { defaultPartitions: 3 });
    expect(report.created).toEqual([]);
    expect(report.changed).toEqual([`${spec.name}: cleanup.policy delete -> compact`]);
    expect((await settings(spec.name))['cleanup.policy']).toBe('compact');
    // A second pass finds nothing to do.
    expect(await provisionTopics(admin, [spec], { defaultPartitions: 3 })).toEqual({
      created: [],
      changed: [],
    });
  });

  it('raises a message limit that is too small and keeps the topic’s other overrides', async () => {
    const spec = dlqTopicSpec(`wifi_log_${run}`);
    await admin.createTopics({
      topics: [
        {
          topic: spec.name,
          numPartitions: 1,
          configEntries: [
            { name: 'max.message.bytes', value: '1048588' },
            { name: 'segment.ms', value: '3600000' },
          ],
        },
      ],
    });
    const report = await provisionTopics(admin, [spec], { defaultPartitions: 1 });
    expect(report.changed).toContain(
      `${spec.name}: max.message.bytes 1048588 -> ${spec.maxMessageBytes}`,
    );
    const now = await settings(spec.name);
    expect(Number(now['max.message.bytes'])).toBe(spec.maxMessageBytes);
    expect(now['segment.ms']).toBe('3600000');
    expect(now['retention.ms']).toBe(String(spec.retentionMs));
  });
});
