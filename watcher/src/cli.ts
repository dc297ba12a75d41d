import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError, loadConfigFile } from './config.js';
import { Metrics, serveMetrics } from './metrics.js';
import { Watcher } from './watcher.js';

const HELP = `Watcher: tails web and Wi-Fi logs and a course schedule into Kafka, exactly once.

Usage: npm run watcher -- --config <file.json>

Options:
  --config <file>   the JSON config (see watcher/README.md for every field)
  -h, --help        this help

Environment: KAFKA_BROKERS (overrides kafka.brokers), WATCHER_HTTP_PORT (overrides http.port),
LOG_LEVEL (default info). /health and /metrics are served on http.host:http.port.
`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (!values.config) {
    process.stderr.write(`watcher: --config <file> is required\n\n${HELP}`);
    process.exit(2);
  }
  let config;
  try {
    config = loadConfigFile(values.config);
  } catch (err) {
    process.stderr.write(`watcher: ${err instanceof ConfigError ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const log = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { service: 'watcher', stateId: config.stateId } });
  const metrics = new Metrics();
  const server = await serveMetrics(metrics, config.http.host, config.http.port);
  const watcher = new Watcher(config, log, metrics);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: flushing the open batch and committing');
    await watcher.stop().catch((err: unknown) => log.error({ err }, 'stopped without a final commit'));
    server.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  log.info({ brokers: config.brokers, sources: config.sources.map((s) => `${s.name}:${s.format}->${s.topic}`), http: `${config.http.host}:${config.http.port}` }, 'watcher starting');
  await watcher.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`watcher: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
