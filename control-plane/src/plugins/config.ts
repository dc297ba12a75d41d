import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { ControlPlaneConfig } from '../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: ControlPlaneConfig;
  }
}

/** Makes the configuration checked at boot available to every plugin and route. */
export default fp(
  async (fastify: FastifyInstance, options: { config: ControlPlaneConfig }) => {
    fastify.decorate('config', options.config);
  },
  { name: 'config' },
);
