/**
 * Exactly once under failure: the watcher killed with SIGKILL at random moments while 200,000
 * lines are written, and a broker stopped and restarted mid-ingest. Afterwards a read_committed
 * consumer finds every line exactly once (by file + byte offset), and nothing else.
 */
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { down, loadConfig, silentReporter, spareStackEnv, up } from '@pulse/stack';
import {
  readTopics,
  setup,
  sleep,
  startWatcher,
  stopWatcher,
  webLine,
  type Rec,
  type Setup,
} from './helpers.js';

/** Appends `total` lines over `files` files in small bursts; returns each file's line start offsets. */
async function writeLines(
  s: Setup,
  files: number,
  total: number,
  burst: number,
  pauseMs: number,
): Promise<Map<string, number[]>> {
  const offsets = new Map<string, number[]>();
  const sizes = new Map<string, number>();
  for (let n = 0; n < total; n += burst) {
    const f = join(s.logs, `access-${(n / burst) % files}.log`);
    const lines = [];
    const starts = offsets.get(f) ?? [];
    let size = sizes.get(f) ?? 0;
    for (let k = n; k < Math.min(total, n + burst); k++) {
      const line = webLine(k) + '\n';
      starts.push(size);
      size += Buffer.byteLength(line);
      lines.push(line);
    }
    appendFileSync(f, lines.join(''));
    offsets.set(f, starts);
    sizes.set(f, size);
    if (pauseMs) await sleep(pauseMs);
  }
  return offsets;
}

/** The watcher really carries its transactions through the engine under test (no silent fallback). */
async function expectEngine(s: Setup, engine: string): Promise<void> {
  for (let i = 0; ; i++) {
    const health = await fetch(`http://127.0.0.1:${s.port}/health`)
      .then((r) => r.json() as Promise<{ producer: string }>)
      .catch(() => undefined);
    if (health) {
      expect(health.producer).toBe(engine);
      return;
    }
    if (i > 100) throw new Error('the watcher did not serve /health within 10 s');
    await sleep(100);
  }
}

function checkExactlyOnce(records: Rec[], written: Map<string, number[]>, topic: string) {
  const seen = new Map<string, number>();
  for (const r of records) {
    if (r.topic !== topic) continue;
    const id = `${r.value!.source_file as string}:${r.value!.source_offset as number}`;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const expected = new Set(
    [...written].flatMap(([file, starts]) => starts.map((o) => `${file}:${o}`)),
  );
  const doubled = [...seen].filter(([, c]) => c > 1).length;
  const missing = [...expected].filter((id) => !seen.has(id)).length;
  const unexpected = [...seen.keys()].filter((id) => !expected.has(id)).length;
  return { doubled, missing, unexpected, distinct: seen.size };
}

// Both clients that can carry the transactions: librdkafka (the default) and kafkajs (the fallback).
describe.each(['librdkafka', 'kafkajs'] as const)('exactly once through %s', (engine) => {
  // Whatever a test's outcome, no watcher it started outlives it.
  const children: ChildProcess[] = [];
  const spawnWatcher = (s: Setup) => {
    const child = startWatcher(s);
    children.push(child);
    return child;
  };
  afterEach(async () => {
    for (const c of children.splice(0)) await stopWatcher(c, 'SIGKILL');
  });

  it('survives SIGKILL at random moments: 200,000 lines, each exactly once', async () => {
    const s = await setup({}, undefined, engine);
    const TOTAL = 200_000;
    let child = spawnWatcher(s);
    await expectEngine(s, engine);
    let kills = 0;
    let killing = true;
    const killer = (async () => {
      // Kill at random moments while lines are being written, at least five times.
      while (killing || kills < 5) {
        await sleep(1500 + Math.random() * 2500);
        await stopWatcher(child, 'SIGKILL');
        kills++;
        child = spawnWatcher(s);
      }
    })();
    const written = await writeLines(s, 4, TOTAL, 500, 40);
    killing = false;
    await killer;
    expect(kills).toBeGreaterThanOrEqual(5);
    const records = await readTopics(
      s.brokers,
      [s.topics.access],
      (r) => r.length >= TOTAL,
      180_000,
    );
    // Give a doubled line time to show up beyond the expected count.
    await sleep(3000);
    const all = await readTopics(
      s.brokers,
      [s.topics.access],
      (r) => r.length >= records.length,
      60_000,
    );
    await stopWatcher(child);
    expect(checkExactlyOnce(all, written, s.topics.access)).toEqual({
      doubled: 0,
      missing: 0,
      unexpected: 0,
      distinct: TOTAL,
    });
    expect(all.filter((r) => r.topic === s.topics.access)).toHaveLength(TOTAL);
  });

  it('pauses while the broker is down and resumes without loss or doubles', async () => {
    const home = mkdtempSync(join(tmpdir(), 'watcher-broker-'));
    const env = { ...process.env, ...(await spareStackEnv(home)) };
    const config = loadConfig(env);
    const brokers = `${config.host}:${config.kafkaPort}`;
    await up(config, silentReporter, { parts: ['zookeeper', 'kafka'] });
    try {
      const s = await setup({}, brokers, engine);
      const child = spawnWatcher(s);
      await expectEngine(s, engine);
      const first = await writeLines(s, 2, 20_000, 500, 20);
      await readTopics(brokers, [s.topics.access], (r) => r.length >= 5_000, 60_000);
      await down(config, silentReporter, { parts: ['kafka'] });
      // Lines keep landing in the files while the broker is away.
      for (let n = 20_000; n < 30_000; n += 500) {
        const f = join(s.logs, `access-${(n / 500) % 2}.log`);
        appendFileSync(f, Array.from({ length: 500 }, (_, k) => webLine(n + k) + '\n').join(''));
      }
      await sleep(4000);
      const health = await fetch(`http://127.0.0.1:${s.port}/health`);
      expect(health.status).toBe(503);
      await up(config, silentReporter, { parts: ['zookeeper', 'kafka'] });
      const all = await readTopics(brokers, [s.topics.access], (r) => r.length >= 30_000, 120_000);
      await sleep(2000);
      const settled = await readTopics(
        brokers,
        [s.topics.access],
        (r) => r.length >= all.length,
        30_000,
      );
      await stopWatcher(child);
      // Every line of the files, by file and offset: recompute the offsets from the files' lines.
      const written = new Map<string, number[]>();
      for (const f of first.keys()) {
        const text = readFileSync(f, 'utf8');
        const starts: number[] = [];
        let at = 0;
        for (const line of text.split('\n').slice(0, -1)) {
          starts.push(at);
          at += Buffer.byteLength(line) + 1;
        }
        written.set(f, starts);
      }
      expect(checkExactlyOnce(settled, written, s.topics.access)).toEqual({
        doubled: 0,
        missing: 0,
        unexpected: 0,
        distinct: 30_000,
      });
    } finally {
      await down(config, silentReporter, { purge: true });
    }
  });
});
