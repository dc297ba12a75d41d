import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AuditEntry } from '@pulse/contracts';

/** The audit trail, newest first. */
const audit: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/',
    {
      schema: {
        tags: ['audit'],
        summary: 'Every mutating call: who, when, what, result',
        description:
          'Open to viewers without request bodies, results or addresses; the operator token shows them.',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 200 })),
        }),
        response: { 200: Type.Object({ entries: Type.Array(AuditEntry) }) },
      },
    },
    async (request) => ({
      entries: await fastify.audit.list(request.query.limit ?? 200, fastify.isOperator(request)),
    }),
  );
};

export default audit;
