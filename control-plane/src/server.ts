/** Starts the control plane: build, listen, and shut down cleanly on SIGTERM/SIGINT. */
import { buildApp } from './app.js';
import { gatewayServer } from './gateway/plugin.js';
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
  const gateway = await gatewayServer(app);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    // The gateway's port first: no new sessions while the app closes them and cancels previews.
    await gateway.close();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // The addresses listened on (a port 0 in the settings becomes the one the system chose).
  const address = await app.listen({ host: config.host, port: config.port });
  const sqlGateway = await gateway.listen({ host: config.host, port: config.sqlGateway.port });
  app.log.info(
    {
      address,
      sqlGateway,
      planner: config.sqlGateway.plannerUrl,
      flink: config.flinkRestUrl,
      kafka: config.kafkaBrokers,
      jobsDir: config.jobsDir,
    },
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
