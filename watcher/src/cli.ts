import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { configHelp, loadOrExit } from '@pulse/kit';
import { loadConfig, WATCHER_ENV_SCHEMA } from './config.js';
import { Metrics, serveMetrics } from './metrics.js';
import { Watcher } from './watcher.js';

const HELP = `Watcher: tails web and Wi-Fi logs into Kafka exactly once, and publishes the campus's
tables (course schedule, device registry, class rosters, term calendar) from the files it keeps.

Usage: npm run watcher -- --config <file.json>

Options:
  --config <file>   the JSON config (see watcher/README.md for every field)
  -h, --help        this help

A minimal config (paths are relative to the config file):
  { "kafka": { "brokers": ["127.0.0.1:9092"] }, "stateId": "campus-1",
    "sources": [
      { "name": "web", "paths": ["logs/access*.log"], "format": "combined", "topic": "access_log" },
      { "name": "wifi", "paths": ["logs/wifi*.json"], "format": "wifi-json", "topic": "wifi_log", "timezone": "Asia/Shanghai" },
      { "name": "schedule", "paths": ["schedule.csv"], "format": "schedule-csv", "topic": "course_schedule", "timezone": "Asia/Shanghai" } ] }
Formats: combined, common (Apache/nginx), wifi-json (campus controller), and the tables (CSV
with a header): schedule-csv (course_id,section,room,aps,weekday,start_time,end_time,enrolled),
registry-csv (mac,student_id), roster-csv (course_id,section,student_id), calendar-csv
(kind,first_date,last_date,name). Bad lines go to <topic>.dlq.

/health and /metrics are served on http.host:http.port.

Environment:
${configHelp(WATCHER_ENV_SCHEMA)}
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (!values.config) {
    process.stderr.write(`watcher: --config <file> is required\n\n${HELP}`);
    process.exit(2);
  }
  const configFile = values.config;
  const config = loadOrExit('watcher', () => loadConfig(configFile));
  const log = pino({
    level: config.logLevel,
    base: { service: 'watcher', stateId: config.stateId },
  });
  const metrics = new Metrics();
  // A producer engine that cannot load here is a configuration error too (kafka.producer).
  const watcher = loadOrExit('watcher', () => new Watcher(config, log, metrics));
  const server = await serveMetrics(metrics, config.http.host, config.http.port);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: flushing the open batch and committing');
    // Without Kafka the final commit cannot land; leaving then is safe (the committed positions in
    // Kafka are the truth and the rest is read again next time), so wait only so long.
    const deadline = new Promise<'timeout'>((r) =>
      setTimeout(() => r('timeout'), config.stopTimeoutMs).unref(),
    );
    const outcome = await Promise.race([
      watcher.stop().catch((err: unknown) => log.error({ err }, 'stopped without a final commit')),
      deadline,
    ]);
    if (outcome === 'timeout')
      log.warn(
        { timeoutMs: config.stopTimeoutMs },
        'Kafka did not take the final commit in time; stopping anyway, uncommitted lines are read again at the next start',
      );
    server.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  log.info(
    {
      brokers: config.brokers,
      sources: config.sources.map((s) => `${s.name}:${s.format}->${s.topic}`),
      http: `${config.http.host}:${config.http.port}`,
    },
    'watcher starting',
  );
  await watcher.start();
}

main().catch((err: unknown) => {
  process.stderr.write(
    `watcher: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
