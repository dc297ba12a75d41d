/** Starts the control plane: build, listen, and shut down cleanly on SIGTERM/SIGINT. */
import { buildApp } from './app.js';
import { configHelp, loadOrExit } from '@pulse/kit';
import { CONFIG_SCHEMA, loadConfig } from './config.js';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    `Control plane: job API over Flink's REST API, WebSocket relay, dashboard.\n\nUsage: npm run control-plane\n\nEnvironment:\n${configHelp(CONFIG_SCHEMA)}\n`,
  );
  process.exit(0);
}

async function main(): Promise<void> {
  const config = loadOrExit('control-plane', () => loadConfig());
  const app = await buildApp({ config });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ host: config.host, port: config.port });
  const address = `http://${config.host}:${config.port}`;
  app.log.info(
    { address, flink: config.flinkRestUrl, kafka: config.kafkaBrokers, jobsDir: config.jobsDir },
    'control plane ready',
  );
  if (config.generatedToken) {
    app.log.warn(
      { operatorToken: config.operatorToken },
      'OPERATOR_TOKEN was not set: generated one for this run',
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `control-plane: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
