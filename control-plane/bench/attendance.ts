/**
 * bench:attendance — how many Wi-Fi associations per second jobs/sql/attendance.sql sustains on this
 * machine, and how large its state is after a simulated week, read from Flink's own REST API.
 *
 *   npm run bench:attendance -- [--students 20000] [--sections 400] [--days 7]
 *                               [--tm-memory 8g | --shared] [--var NAME=value ...]
 *
 * Publishes a synthetic campus (schedule, registry, rosters, calendar) and `days` days of
 * associations into fresh topics, deploys the job reading them from the start, and follows the
 * Kafka positions of its Wi-Fi source (backpressured by the rest of the job, so its pace is the
 * job's) until every association is read; then reports the size of the first checkpoint completed
 * after that, operator by operator.
 *
 * A replayed week reaches the job within minutes, so the state TTL (processing time, 2 days) never
 * expires anything: the state measured is the whole week's. On the heap state backend that is more
 * than the default TaskManager holds, so by default the benchmark runs on a private stack (own
 * runtime folder and ports) with a TaskManager of --tm-memory, and removes it afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import {
  consoleReporter,
  down,
  endpoints,
  loadConfig as loadStack,
  spareStackEnv,
  up,
} from '@pulse/stack';
import { TOPICS, topicSpec, type TopicSpec } from '@pulse/contracts';
import { provisionTopics } from '@pulse/contracts/kafka';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { privateJobsDir } from '../test/private-jobs.js';
import { dayOfAssociations, makeCampus } from './attendance-campus.js';
import { readProgress, stateByOperator } from './flink-metrics.js';

const { values } = parseArgs({
  options: {
    students: { type: 'string', default: '20000' },
    sections: { type: 'string', default: '400' },
    days: { type: 'string', default: '7' },
    'tm-memory': { type: 'string', default: '8g' },
    shared: { type: 'boolean', default: false },
    var: { type: 'string', multiple: true, default: [] },
  },
});
const STUDENTS = Number(values.students);
const SECTIONS = Number(values.sections);
const DAYS = Number(values.days);
const report = consoleReporter('bench:attendance');
const home = values.shared ? undefined : mkdtempSync(join(tmpdir(), 'pulse-bench-attendance-'));
const stackConfig = loadStack(
  home
    ? { ...process.env, ...(await spareStackEnv(home)), FLINK_TM_MEMORY: values['tm-memory'] }
    : process.env,
);
report.step(home ? `a private stack in ${home}` : 'the running stack');
const stack = await up(stackConfig, report);
const { kafkaBrokers, flinkRestUrl, databaseUrl } = endpoints(stackConfig);
const id = randomUUID().slice(0, 8);
const vars = {
  WIFI_TOPIC: `bench-wifi-${id}`,
  SCHEDULE_TOPIC: `bench-schedule-${id}`,
  REGISTRY_TOPIC: `bench-registry-${id}`,
  ROSTER_TOPIC: `bench-roster-${id}`,
  CALENDAR_TOPIC: `bench-calendar-${id}`,
  ATTENDANCE_TOPIC: `bench-attendance-${id}`,
  GROUP_PREFIX: `bench-${id}`,
  BROKERS: kafkaBrokers,
};
const kafka = new Kafka({
  clientId: 'bench-attendance',
  brokers: [kafkaBrokers],
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
const config = loadConfig({
  ...process.env,
  KAFKA_BROKERS: kafkaBrokers,
  FLINK_REST_URL: flinkRestUrl,
  DATABASE_URL: databaseUrl,
});
// Under a name of its own, so it never upgrades the attendance job npm start runs.
const jobs = privateJobsDir(config.jobsDir, 'attendance', `attendance-bench-${id}`);
const app = await buildApp({
  config: { ...config, jobsDir: jobs.dir, operatorToken: 'bench-operator-token', logLevel: 'warn' },
  relay: false,
});
let jobId = '';

async function cleanUp(): Promise<void> {
  if (jobId) await app.flink.cancelJob(jobId).catch(() => {});
  await app.close();
  if (home) {
    await down(stackConfig, report, { parts: stack.started });
    rmSync(home, { recursive: true, force: true });
  } else {
    const topics = Object.values(vars).filter((v) => v.includes(id));
    await admin.deleteTopics({ topics }).catch(() => {});
  }
  await admin.disconnect();
  jobs.remove();
}

try {
  await admin.connect();
  const renamed = (topic: string, name: string): TopicSpec => ({ ...topicSpec(topic)!, name });
  await provisionTopics(
    admin,
    [
      renamed(TOPICS.wifiLog, vars.WIFI_TOPIC),
      renamed(TOPICS.courseSchedule, vars.SCHEDULE_TOPIC),
      renamed(TOPICS.deviceRegistry, vars.REGISTRY_TOPIC),
      renamed(TOPICS.classRoster, vars.ROSTER_TOPIC),
      renamed(TOPICS.termCalendar, vars.CALENDAR_TOPIC),
      renamed(TOPICS.attendance, vars.ATTENDANCE_TOPIC),
    ],
    { defaultPartitions: 3 },
  );
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const send = async (topic: string, messages: { key: string; value: string }[]) => {
    for (let i = 0; i < messages.length; i += 5000)
      await producer.send({
        topic,
        messages: messages.slice(i, i + 5000),
        compression: CompressionTypes.None,
      });
  };
  const json = (v: unknown) => JSON.stringify(v);

  report.step(`campus: ${STUDENTS.toLocaleString()} students, ${SECTIONS} sections`);
  const campus = makeCampus(STUDENTS, SECTIONS);
  await send(
    vars.SCHEDULE_TOPIC,
    campus.sections.map((s) => ({
      key: json({ course_id: s.course_id, section: s.section }),
      value: json(s),
    })),
  );
  await send(
    vars.REGISTRY_TOPIC,
    campus.registry.map((r) => ({ key: json({ mac: r.mac }), value: json(r) })),
  );
  await send(
    vars.ROSTER_TOPIC,
    campus.rosters.map((r) => ({ key: json(r), value: json(r) })),
  );
  await send(
    vars.CALENDAR_TOPIC,
    campus.calendar.map((c) => ({
      key: json({ kind: c.kind, first_date: c.first_date }),
      value: json(c),
    })),
  );
  report.info(
    `${campus.registry.length.toLocaleString()} registered devices, ${campus.rosters.length.toLocaleString()} enrolments`,
  );

  report.step(`publishing ${DAYS} days of associations`);
  const monday = Date.UTC(2026, 2, 2) - 8 * 3600_000; // local midnight, UTC+8
  const sql = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  let total = 0;
  for (let day = 0; day < DAYS; day++) {
    const list = dayOfAssociations(campus, monday + day * 86_400_000, (day % 7) + 1, 100 + day);
    await send(
      vars.WIFI_TOPIC,
      list.map((a, i) => ({
        key: a.mac,
        value: `{"event_time":"${sql(a.ms)}","ts_ms":${a.ms},"local_time":"${sql(a.ms + 8 * 3600_000).slice(0, 19)}","mac":"${a.mac}","apname":"${a.ap}","currentapname":"${a.ap}","ssid":"CAMPUS","connectresult":"${a.result}","uppacketnum":1,"upbyte":1,"downpacketnum":1,"downbyte":1,"source_file":"/bench","source_offset":${total + i}}`,
      })),
    );
    total += list.length;
    report.info(`day ${day + 1}: ${list.length.toLocaleString()} associations`);
  }
  await producer.disconnect();

  const res = await app.inject({
    method: 'POST',
    url: '/api/jobs/attendance/deploy',
    headers: { authorization: 'Bearer bench-operator-token' },
    payload: {
      variables: {
        ...vars,
        // --var NAME=value: any other variable of the job, e.g. --var MINI_BATCH=false
        ...Object.fromEntries(
          values.var.map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]),
        ),
      },
      // The associations are written before the job starts: read them all.
      start: 'earliest',
    },
  });
  if (res.statusCode !== 200) throw new Error(`deploy failed: ${res.body}`);
  jobId = (res.json() as { jobId: string }).jobId;
  report.step(`job ${jobId} consuming ${total.toLocaleString()} associations`);
  const progress = await readProgress(app.flink, flinkRestUrl, jobId, total, (read) =>
    report.info(`${read.toLocaleString()} read`),
  );
  report.info(`all read ${progress.seconds.toFixed(1)} s after the job started`);

  // A checkpoint that starts after the last association holds the week's state.
  report.step('waiting for a checkpoint after the last association');
  const state = await stateByOperator(app.flink, flinkRestUrl, jobId, progress.doneAt);

  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
  const rate = (n: number) => Math.round(n).toLocaleString().padStart(8);
  console.log(
    `\nattendance on this machine (${STUDENTS.toLocaleString()} students, ${SECTIONS} sections, ${campus.registry.length.toLocaleString()} registered devices, parallelism 1, ${home ? `private TaskManager of ${values['tm-memory']}` : 'shared stack'}):`,
  );
  console.log(`  ${total.toLocaleString()} associations over ${DAYS} simulated days`);
  console.log(
    `  sustained     ${rate(progress.sustained)} associations/s  (while reading, between ${progress.refreshes} metric refreshes)`,
  );
  console.log(
    `  end to end    ${rate(total / progress.seconds)} associations/s  (${progress.seconds.toFixed(1)} s from the job's start, startup included)`,
  );
  console.log(
    `  state after   ${mib(state.bytes).padStart(8)}  (checkpoint ${state.id}, ${(state.bytes / total).toFixed(0)} bytes per association)`,
  );
  for (const t of state.operators)
    console.log(`    ${mib(t.bytes).padStart(10)}  ${t.name.replace(/\s+/g, ' ').slice(0, 100)}`);
} finally {
  await cleanUp();
}
process.exit(0);
