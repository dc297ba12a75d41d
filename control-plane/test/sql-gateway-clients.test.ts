/**
 * The SQL gateway against the real stack (planner, Flink, Kafka), driven by clients nobody here
 * wrote: Flink's SQL Client 1.18.1 in gateway mode, and Flink's JDBC driver 1.20.0 through sqlline.
 * The SQL Client's printed rows must equal an independent count of the events this test wrote to
 * a private topic.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayInstance, gatewayServer } from '../src/gateway/plugin.js';
import { PREVIEW_JOB_PREFIX, PREVIEW_TOPIC_PREFIX } from '../src/gateway/constants.js';
import { createTopics, deleteTopics, flinkUrl, produce, uid, withAdmin } from './kafka-helpers.js';
import { privateControlPlane } from './private-jobs.js';
import { clientJars, runClient } from './sql-clients.js';

const JOBS_DIR = resolve(import.meta.dirname, '..', '..', 'jobs', 'sql');
const id = uid();
const topic = `gw_access_${id}`;
const PATHS = ['/', '/courses', '/login', '/news', '/search?q=flink', '/404-me'];

/** The events: every path a different number of times, in a shuffled order. */
const events = Array.from({ length: 57 }, (_, i) => ({
  ts_ms: Date.UTC(2026, 0, 5, 8, 0, 0) + i * 1000,
  path: PATHS[(i * 7 + (i % 5)) % PATHS.length]!,
  status: i % 9 === 0 ? 404 : 200,
  visitor_id: `v${i % 11}`,
}));

let app: FastifyInstance;
let gateway: FastifyInstance;
let endpoint: string;
let confDir: string;

beforeAll(async () => {
  // Resolved once from Maven Central (minutes on a fresh machine), then from the cache.
  await clientJars('sql-client');
  await clientJars('sql-jdbc');
  await createTopics([{ topic, partitions: 1 }]);
  await produce(
    topic,
    events.map((e, i) => ({
      key: e.visitor_id,
      value: JSON.stringify({
        ...e,
        event_time: new Date(e.ts_ms).toISOString(),
        client_ip: '10.0.0.1',
        method: 'GET',
        protocol: 'HTTP/1.1',
        bytes: 100,
        referrer: '-',
        user_agent: 'test',
        source_file: '/logs/access.log',
        source_offset: i * 100,
      }),
    })),
  );
  app = await privateControlPlane(JOBS_DIR, 'gateway-test-token');
  gateway = await gatewayServer(app);
  await app.ready();
  const address = await gateway.listen({ host: '127.0.0.1', port: 0 });
  endpoint = new URL(address).host;
  // The SQL Client reads a flink-conf.yaml from FLINK_CONF_DIR, even in gateway mode.
  confDir = mkdtempSync(join(tmpdir(), 'sql-client-conf-'));
  writeFileSync(join(confDir, 'flink-conf.yaml'), '');
});

afterAll(async () => {
  await gateway?.close();
  await app?.close();
  await deleteTopics([topic]);
});

/** The table a tableau-mode changelog leaves: +I/+U set a row, -U/-D remove it. */
function foldTableau(output: string): Map<string, number> {
  const table = new Map<string, number>();
  for (const line of output.split('\n')) {
    const m = /^\|\s*([+-][IUD])\s*\|\s*(.*?)\s*\|\s*(\d+)\s*\|\s*$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === '+I' || m[1] === '+U') table.set(m[2]!, Number(m[3]));
    else table.delete(m[2]!);
  }
  return table;
}

/** Flink's jobs and Kafka's topics this control plane's previews left. */
async function leftovers() {
  const instance = gatewayInstance(app.config.stateDir);
  const jobs = (
    (await (await fetch(`${flinkUrl}/jobs/overview`)).json()) as {
      jobs: { name: string; state: string }[];
    }
  ).jobs.filter((j) => j.name.startsWith(`${PREVIEW_JOB_PREFIX}${instance}`));
  const topics = await withAdmin(async (admin) =>
    (await admin.listTopics()).filter((t) => t.startsWith(`${PREVIEW_TOPIC_PREFIX}${instance}`)),
  );
  return {
    jobs,
    running: jobs.filter((j) => !['CANCELED', 'FINISHED', 'FAILED'].includes(j.state)),
    topics,
  };
}

describe('SQL gateway with the official clients', () => {
  it("Flink's SQL Client: SHOW TABLES, DESCRIBE, SET, and a SELECT whose rows equal an independent count", async () => {
    const expected = new Map<string, number>();
    for (const e of events) expected.set(e.path, (expected.get(e.path) ?? 0) + 1);
    // One changelog row for each path's first event, two (-U, +U) for every later one: the
    // preview ends with EOS right after the last, at its row limit.
    const changelogRows = expected.size + 2 * (events.length - expected.size);
    const script = join(confDir, 'script.sql');
    writeFileSync(
      script,
      [
        'SHOW TABLES;',
        'DESCRIBE access_log;',
        "SET 'sql-client.execution.result-mode' = 'tableau';",
        `SET 'sql-gateway.preview.max-rows' = '${changelogRows}';`,
        `CREATE TABLE gw_access WITH ('topic' = '${topic}', 'scan.startup.mode' = 'earliest-offset', 'properties.group.id' = 'gw-test-${id}') LIKE access_log_records (OVERWRITING OPTIONS);`,
        'SELECT path, COUNT(*) AS hits FROM gw_access GROUP BY path;',
        '',
      ].join('\n'),
    );
    const { code, output } = await runClient(
      'sql-client',
      'org.apache.flink.table.client.SqlClient',
      ['gateway', '--endpoint', endpoint, '-f', script],
      { env: { FLINK_CONF_DIR: confDir } },
    );
    expect(output, output).not.toMatch(/\[ERROR\]/);
    expect(code).toBe(0);
    // SHOW TABLES: the shared tables are there from the start.
    for (const table of ['access_log', 'access_log_records', 'wifi_log', 'course_schedule'])
      expect(output).toMatch(new RegExp(`\\|\\s+${table} \\|`));
    // DESCRIBE access_log: its columns with their types, the event time a rowtime.
    expect(output).toMatch(/\|\s+event_time \|\s+TIMESTAMP\(3\) \*ROWTIME\* \|/);
    expect(output).toMatch(/\|\s+status \|\s+INT \|/);
    expect(output).toMatch(/Execute statement succeed/);
    expect(output).toMatch(new RegExp(`Received a total of ${changelogRows} rows`));
    expect(foldTableau(output)).toEqual(expected);
    // The preview ended: its job is cancelled and its topic gone.
    await expect.poll(async () => (await leftovers()).running, { timeout: 30_000 }).toEqual([]);
    await expect.poll(async () => (await leftovers()).topics, { timeout: 15_000 }).toEqual([]);
    expect((await leftovers()).jobs.length).toBe(1);
  });

  it("Flink's JDBC driver through sqlline: connects, lists the tables and runs a bounded query", async () => {
    const script = join(confDir, 'jdbc.sql');
    writeFileSync(
      script,
      [
        'SHOW TABLES;',
        "SELECT x, y, x * 10 AS z FROM (VALUES (1, 'one'), (2, CAST(NULL AS STRING)), (3, 'three')) AS t(x, y);",
        '',
      ].join('\n'),
    );
    const { output } = await runClient('sql-jdbc', 'sqlline.SqlLine', [
      '-d',
      'org.apache.flink.table.jdbc.FlinkDriver',
      '-u',
      `jdbc:flink://${endpoint}`,
      '-n',
      'analyst',
      '-p',
      '',
      '--outputformat=csv',
      `--run=${script}`,
    ]);
    expect(output, output).toMatch(/'table name'\n/);
    for (const table of ['access_log', 'access_log_agents', 'wifi_log', 'term_calendar'])
      expect(output).toContain(`'${table}'\n`);
    expect(output).toContain(
      "'x','y','z'\n'1','one','10'\n'2','','20'\n'3','three','30'\n3 rows selected",
    );
    await expect.poll(async () => (await leftovers()).running, { timeout: 30_000 }).toEqual([]);
    await expect.poll(async () => (await leftovers()).topics, { timeout: 15_000 }).toEqual([]);
  });
});
