/** Starts the control plane: build, listen, and shut down cleanly on SIGTERM/SIGINT. */
import { buildApp } from './app.js';
import { CONFIG_DOC, ConfigError, loadConfig } from './config.js';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    `Control plane: job API over Flink's REST API, WebSocket relay, dashboard.\n\nUsage: npm run control-plane\n\nEnvironment (defaults):\n${CONFIG_DOC.map(([k, v]) => `  ${k.padEnd(22)} ${v}`).join('\n')}\n  (the relay's RELAY_* variables: see control-plane/src/relay/config.ts)\n`,
  );
  process.exit(0);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(
      `control-plane: ${err instanceof ConfigError ? err.message : String(err)}\n`,
    );
    process.exit(2);
  }
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
