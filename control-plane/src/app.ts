/**
 * The control plane as a Fastify plugin tree: configuration, errors, auth and audit, the Flink and
 * Kafka clients, the job API, the SQL gateway, the WebSocket relay and the dashboard. server.ts only listens.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ControlPlaneConfig } from './config.js';
import configPlugin from './plugins/config.js';
import errors from './plugins/errors.js';
import hostCheck from './plugins/host-check.js';
import metrics from './plugins/metrics.js';
import auth from './plugins/auth.js';
import audit from './plugins/audit.js';
import flink from './plugins/flink.js';
import kafkaAdmin from './plugins/kafka-admin.js';
import jobsRoutes from './routes/api/jobs/index.js';
import clusterRoutes from './routes/api/cluster/index.js';
import auditRoutes from './routes/api/audit/index.js';
import history from './history/plugin.js';
import historyRoutes from './routes/api/history/index.js';
import runtimeRoutes from './routes/api/runtime/index.js';
import relay, { type RelayPluginOptions } from './relay/plugin.js';
import uiStatic from './ui-static/plugin.js';
import sqlGateway from './gateway/plugin.js';

export interface AppOptions {
  config: ControlPlaneConfig;
  /** Leave the relay out (tests of the job API alone). */
  relay?: false | RelayPluginOptions;
}

/** Registers everything on a Fastify instance. */
export async function app(fastify: FastifyInstance, options: AppOptions): Promise<void> {
  await fastify.register(configPlugin, { config: options.config });
  await fastify.register(errors);
  await fastify.register(hostCheck);
  await fastify.register(swagger, {
    openapi: {
      info: {
        title: 'campus-pulse control plane',
        version: '1.0.0',
        description:
          'Validate, deploy, upgrade, stop and inspect the Flink SQL jobs; read the cluster and the audit trail. Mutating calls need `Authorization: Bearer <operator token>`.',
      },
      components: { securitySchemes: { operator: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await fastify.register(swaggerUi, { routePrefix: '/docs' });
  await fastify.register(auth);
  await fastify.register(audit);
  await fastify.register(flink);
  await fastify.register(kafkaAdmin);
  await fastify.register(metrics);
  await fastify.register(jobsRoutes, { prefix: '/api/jobs' });
  await fastify.register(clusterRoutes, { prefix: '/api/cluster' });
  await fastify.register(auditRoutes, { prefix: '/api/audit' });
  await fastify.register(history, {
    campusTimeZone: options.config.campusTimeZone,
    minuteRetentionDays: options.config.historyRetentionDays,
  });
  await fastify.register(historyRoutes, { prefix: '/api/history' });
  await fastify.register(runtimeRoutes, { prefix: '/api/runtime' });
  await fastify.register(sqlGateway);
  fastify.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  if (options.relay !== false) await fastify.register(relay, options.relay ?? {});
  await fastify.register(uiStatic, { root: options.config.uiDist });
}

/** Builds the whole control plane; tests call this and use inject(), the server listens on it. */
export async function buildApp(
  options: AppOptions,
  server: FastifyServerOptions = {},
): Promise<FastifyInstance> {
  const fastify = Fastify({
    logger: { level: options.config.logLevel },
    ...server,
  }).withTypeProvider<TypeBoxTypeProvider>();
  await app(fastify, options);
  return fastify;
}
