/**
 * The SQL gateway as a plugin of the control plane: one SqlGateway (sessions, previews) decorating
 * the instance, its routes mounted at `/sql-gateway`, closed with the server (sessions closed,
 * previews cancelled, their topics deleted). `gatewayServer` serves the same gateway on its own
 * port (SQL_GATEWAY_PORT), where Flink's clients expect it at `/`.
 */
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import configPlugin from '../plugins/config.js';
import { hostAllowed } from '../plugins/host-check.js';
import auth from '../plugins/auth.js';
import { summarizeFlinkErrors } from '../flink/index.js';
import { SqlGateway, type DeployInsert } from './gateway.js';
import { HttpPlanner } from './planner.js';
import { previewKafka } from './kafka.js';
import { renderPrelude } from './prelude.js';
import gatewayRoutes from './routes.js';
import { cleanOrphans } from './orphans.js';

declare module 'fastify' {
  interface FastifyInstance {
    sqlGateway: SqlGateway;
  }
}

/** Where the main port serves the gateway's routes. */
export const GATEWAY_PREFIX = '/sql-gateway';

/** Names this control plane's previews (by its state folder) apart from another's on the cluster. */
export function gatewayInstance(stateDir: string): string {
  return createHash('sha256').update(stateDir).digest('hex').slice(0, 8);
}

export default fp(
  async (fastify: FastifyInstance) => {
    const { config } = fastify;
    const kafka = previewKafka(config.kafkaBrokers.split(','));
    // Previews of another control plane on the same cluster (a test's, say) are not ours to clean.
    const instance = gatewayInstance(config.stateDir);
    let version: Promise<string> | undefined;
    const deployInsert: DeployInsert = async (job, script, who, statement) => {
      const at = new Date().toISOString();
      try {
        const result = await fastify.jobs.deployScript(
          job,
          script,
          `INSERT through the SQL gateway: ${statement.slice(0, 200)}`,
        );
        await fastify.audit.record({
          at,
          who,
          action: 'deploy',
          target: job,
          request: { statement, via: 'sql-gateway' },
          status: 200,
          result: `started ${result.jobId}`,
        });
        return result;
      } catch (err) {
        await fastify.audit.record({
          at,
          who,
          action: 'deploy',
          target: job,
          request: { statement, via: 'sql-gateway' },
          status: 422,
          result: err instanceof Error ? err.message.slice(0, 500) : 'error',
        });
        throw err;
      }
    };
    const gateway = new SqlGateway({
      config: config.sqlGateway,
      planner: new HttpPlanner(config.sqlGateway.plannerUrl),
      kafka,
      flink: {
        async jobState(jobId) {
          const job = await fastify.flink.job(jobId);
          if (job.state !== 'FAILED') return { state: job.state };
          const root = (await fastify.flink.jobExceptions(jobId).catch(() => undefined))?.[
            'root-exception'
          ];
          return {
            state: job.state,
            failure: root ? summarizeFlinkErrors([root]) : 'the preview job failed',
          };
        },
        cancelJob: (jobId) => fastify.flink.cancelJob(jobId),
        version() {
          version ??= fastify.flink.overview().then(
            (o) => o['flink-version'],
            (err: unknown) => {
              version = undefined;
              throw err;
            },
          );
          return version;
        },
      },
      previewBrokers: config.jobVariables.BROKERS ?? config.kafkaBrokers,
      instance,
      prelude: () => renderPrelude(config.jobsDir, config.jobVariables),
      deployInsert,
      log: fastify.log.child({ part: 'sql-gateway' }),
    });
    fastify.decorate('sqlGateway', gateway);
    await fastify.register(gatewayRoutes, { gateway, prefix: GATEWAY_PREFIX });

    // Previews a previous run of this control plane left running (it died): cancel, delete.
    fastify.addHook('onReady', async () => {
      void cleanOrphans({
        instance,
        flink: fastify.flink,
        admin: kafka.admin,
        active: () => gateway.previewNames(),
      }).then(
        (found) => {
          if (found.jobs.length || found.topics.length)
            fastify.log.info(found, 'cleaned previews a previous run left behind');
        },
        (err: unknown) =>
          fastify.log.warn({ err }, 'could not clean previews a previous run left behind'),
      );
    });
    fastify.addHook('onClose', async () => {
      await gateway.close();
      await kafka.close();
    });
  },
  { name: 'sql-gateway', dependencies: ['config', 'flink', 'audit', 'auth'] },
);

/** A server of the gateway's routes alone at `/`, for SQL_GATEWAY_PORT; it shares `app`'s gateway. */
export async function gatewayServer(app: FastifyInstance): Promise<FastifyInstance> {
  const server = Fastify({
    loggerInstance: app.log.child({ part: 'sql-gateway-port' }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  await server.register(configPlugin, { config: app.config });
  // The DNS rebinding guard of the main port, answering in the protocol's error shape.
  const allowed = app.config.allowedHosts;
  server.addHook('onRequest', async (request, reply) => {
    if (hostAllowed(request.headers.host, allowed)) return;
    await reply.code(421).send({
      errors: [`this gateway answers for ${allowed.join(', ')}; set ALLOWED_HOSTS to add a name`],
    });
    return reply;
  });
  await server.register(auth);
  await server.register(gatewayRoutes, { gateway: app.sqlGateway });
  return server;
}
