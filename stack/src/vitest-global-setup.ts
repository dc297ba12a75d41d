/**
 * vitest globalSetup for integration tests: brings the local stack up if it is not running, and
 * takes it down afterwards only when this run started it (a developer's running stack is left alone).
 * Set STACK_EXTERNAL=1 to test against an already running cluster at KAFKA_BROKERS / FLINK_REST_URL
 * (and the SQL gateway's planner at PLANNER_URL).
 */
import { consoleReporter, silentReporter } from './log.js';
import { loadConfig, endpoints } from './config.js';
import { down, up } from './stack.js';
import { prepareTestDatabase } from './test-database.js';

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.STACK_EXTERNAL === '1') return async () => {};
  const config = loadConfig();
  const result = await up(config, consoleReporter('stack:test'));
  const e = endpoints(config);
  process.env.KAFKA_BROKERS ??= e.kafkaBrokers;
  process.env.FLINK_REST_URL ??= e.flinkRestUrl;
  process.env.PLANNER_URL ??= e.plannerUrl;
  process.env.DATABASE_URL ??= await prepareTestDatabase(config);
  return async () => {
    if (result.started.length > 0 && process.env.STACK_KEEP !== '1') {
      await down(config, silentReporter, { parts: result.started });
    }
  };
}
