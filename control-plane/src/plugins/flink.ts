import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createFlinkClient, type FlinkClient } from '../flink/index.js';
import { JobService } from '../jobs/service.js';
import { SavepointStore, DeploymentStore } from '../jobs/savepoints.js';
import { IntentLog } from '../jobs/intents.js';

declare module 'fastify' {
  interface FastifyInstance {
    flink: FlinkClient;
    jobs: JobService;
  }
}

/** The Flink REST client and the job service built on it. */
export default fp(
  async (fastify: FastifyInstance) => {
    const { config } = fastify;
    const flink = createFlinkClient({ baseUrl: config.flinkRestUrl, retry: { retries: 3 } });
    fastify.decorate('flink', flink);
    const service = new JobService({
      flink,
      jobsDir: config.jobsDir,
      runnerJar: config.runnerJar,
      savepoints: new SavepointStore(config.stateDir),
      deployments: new DeploymentStore(config.stateDir),
      stopTimeoutMs: config.stopTimeoutMs,
      jobVariables: config.jobVariables,
      intents: new IntentLog(config.stateDir),
      log: fastify.log,
    });
    fastify.decorate('jobs', service);
    // Stops and upgrades a previous run left half done are finished once Flink answers.
    let retry: ReturnType<typeof setTimeout> | undefined;
    const settle = (attempt: number): void => {
      service.reconcile().catch((err: unknown) => {
        fastify.log.warn(
          { err, attempt },
          'could not reconcile unfinished operations yet; trying again',
        );
        if (attempt < 40) retry = setTimeout(() => settle(attempt + 1), 15_000);
      });
    };
    fastify.addHook('onReady', async () => settle(1));
    fastify.addHook('onClose', async () => clearTimeout(retry));
  },
  { name: 'flink', dependencies: ['config'] },
);
