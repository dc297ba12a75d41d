import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HEADERS } from '../constants.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler for mutating routes: 401 without a bearer token, 403 with a wrong one. */
    requireOperator: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** True when the request carries the valid operator token (for reads that show more to operators). */
    isOperator: (request: FastifyRequest) => boolean;
  }
  interface FastifyRequest {
    operator?: string;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Operators change jobs; viewers only read. */
export default fp(
  async (fastify: FastifyInstance) => {
    const expected = digest(fastify.config.operatorToken);
    fastify.decorateRequest('operator', undefined);
    const bearer = (request: FastifyRequest) => {
      const header = request.headers[HEADERS.authorization];
      return typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
    };
    fastify.decorate('isOperator', (request: FastifyRequest) => {
      const token = bearer(request);
      return token !== undefined && timingSafeEqual(digest(token), expected);
    });
    fastify.decorate('requireOperator', async (request: FastifyRequest, reply: FastifyReply) => {
      const token = bearer(request);
      if (token === undefined) {
        await reply.code(401).header('www-authenticate', 'Bearer').send({
          error: 'UNAUTHORIZED',
          message: 'this call changes jobs: send Authorization: Bearer <operator token>',
        });
        return reply;
      }
      if (!timingSafeEqual(digest(token), expected)) {
        await reply
          .code(403)
          .send({ error: 'FORBIDDEN', message: 'the operator token is not valid' });
        return reply;
      }
      const name = request.headers[HEADERS.operator];
      request.operator = `${typeof name === 'string' && name ? name.slice(0, 60) : 'operator'}@${request.ip}`;
    });
  },
  { name: 'auth', dependencies: ['config'] },
);
