/**
 * The watcher provisions its topics from the one catalog against the real broker: a DLQ topic that
 * someone else created first, with the broker's default message limit, is raised so that a line
 * cut at maxLineBytes (1 MiB) lands in it instead of being refused for ever.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { dlqRecordBytes, dlqTopic, watcherOffsetsTopic } from '@pulse/contracts';
import { readTopics, setup, startWatcher, stopWatcher, webLine } from './helpers.js';

/** kafkajs' ConfigResourceTypes.TOPIC. */
const TOPIC = 2;

async function topicConfig(admin: Admin, topic: string): Promise<Record<string, string>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: TOPIC, name: topic }],
  });
  return Object.fromEntries(
    (resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]),
  );
}

describe('watcher topics', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child) await stopWatcher(child);
    child = undefined;
  });

  it('raises the message limit of a DLQ topic created before it, so a 1 MiB line lands there', async () => {
    const s = await setup();
    const admin = new Kafka({
      clientId: 'watcher-topics-test',
      brokers: [s.brokers],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const dlq = dlqTopic(s.topics.access);
      // As a tool that knows nothing of the watcher's line limit would create it.
      await admin.createTopics({
        topics: [{ topic: dlq, numPartitions: 1 }],
        waitForLeaders: true,
      });
      const before = Number((await topicConfig(admin, dlq))['max.message.bytes']);
      const cut = 1024 * 1024; // the default maxLineBytes
      // The cut line with its context is more than the broker takes by default.
      expect(before).toBeLessThan(cut + 1024);

      const file = join(s.logs, 'access.log');
      const long = 'L'.repeat(cut + 500_000);
      writeFileSync(file, `${webLine(1)}\n${long}\n${webLine(2)}\n`);
      const logs: Record<string, unknown>[] = [];
      child = startWatcher(s, (entry) => logs.push(entry));
      const got = await readTopics(s.brokers, [s.topics.access, dlq], (r) => r.length >= 3);

      expect(
        got
          .filter((r) => r.topic === s.topics.access)
          .map((r) => r.value!.path)
          .sort(),
      ).toEqual(['/n/1', '/n/2']);
      const refused = got.filter((r) => r.topic === dlq).map((r) => r.value!);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({
        source_offset: webLine(1).length + 1,
        reason: `line longer than ${cut} bytes (kept its first ${cut})`,
      });
      expect(refused[0]!.raw).toBe(long.slice(0, cut));

      const after = await topicConfig(admin, dlq);
      expect(Number(after['max.message.bytes'])).toBeGreaterThan(dlqRecordBytes(cut));
      // It says what it changed and created.
      const provisioned = logs.find((l) => l.msg === 'topics provisioned from the catalog');
      expect(provisioned?.changed).toContain(
        `${dlq}: max.message.bytes ${before} -> ${after['max.message.bytes']}`,
      );
      expect(provisioned?.created).toContain(watcherOffsetsTopic(s.stateId));
    } finally {
      await admin.disconnect();
    }
  });

  it('creates its offsets topic compacted with one partition', async () => {
    const s = await setup();
    child = startWatcher(s);
    writeFileSync(join(s.logs, 'access.log'), `${webLine(1)}\n`);
    await readTopics(s.brokers, [s.topics.access], (r) => r.length >= 1);
    const admin = new Kafka({
      clientId: 'watcher-topics-test',
      brokers: [s.brokers],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const offsets = watcherOffsetsTopic(s.stateId);
      expect((await topicConfig(admin, offsets))['cleanup.policy']).toBe('compact');
      const meta = await admin.fetchTopicMetadata({ topics: [offsets] });
      expect(meta.topics[0]!.partitions).toHaveLength(1);
    } finally {
      await admin.disconnect();
    }
  });
});
