import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createFlinkClient, type FlinkClient } from '../flink/index.js';
import { JobService } from '../jobs/service.js';
import { SavepointStore, DeploymentStore } from '../jobs/savepoints.js';

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
    fastify.decorate(
      'jobs',
      new JobService({
        flink,
        jobsDir: config.jobsDir,
        runnerJar: config.runnerJar,
        savepoints: new SavepointStore(config.stateDir),
        deployments: new DeploymentStore(config.stateDir),
        stopTimeoutMs: config.stopTimeoutMs,
        jobVariables: config.jobVariables,
        log: fastify.log,
      }),
    );
  },
  { name: 'flink', dependencies: ['config'] },
);
