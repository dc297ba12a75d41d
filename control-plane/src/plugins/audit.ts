import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditEntry } from '@pulse/contracts';
import { AUDIT_FILE } from '../constants.js';

declare module 'fastify' {
  interface FastifyInstance {
    audit: { list(limit: number): Promise<AuditEntry[]> };
  }
  interface FastifyContextConfig {
    /** Marks a route as mutating: every call is written to the audit trail. */
    audited?: string;
  }
}

/** Who did what, when, and how it ended: one JSON line per mutating call, kept on disk. */
export default fp(
  async (fastify: FastifyInstance) => {
    const file = join(fastify.config.stateDir, AUDIT_FILE);
    await mkdir(fastify.config.stateDir, { recursive: true });
    let chain: Promise<void> = Promise.resolve();
    const results = new WeakMap<FastifyRequest, string>();

    fastify.addHook('onSend', async (request, reply, payload) => {
      if (request.routeOptions.config.audited && typeof payload === 'string') {
        try {
          const body = JSON.parse(payload) as { message?: string; action?: string; state?: string };
          results.set(
            request,
            body.message ?? body.action ?? body.state ?? (reply.statusCode < 400 ? 'ok' : 'error'),
          );
        } catch {
          results.set(request, reply.statusCode < 400 ? 'ok' : 'error');
        }
      }
      return payload;
    });

    fastify.addHook('onResponse', async (request, reply) => {
      const action = request.routeOptions.config.audited;
      if (!action) return;
      const entry: AuditEntry = {
        at: new Date().toISOString(),
        who: request.operator ?? `anonymous@${request.ip}`,
        action,
        target: (request.params as { name?: string } | undefined)?.name ?? '',
        request: request.body ?? null,
        status: reply.statusCode,
        result: results.get(request) ?? '',
      };
      chain = chain
        .then(() => appendFile(file, JSON.stringify(entry) + '\n'))
        .catch((err: unknown) => fastify.log.error({ err }, 'could not write the audit trail'));
      await chain;
    });

    fastify.decorate('audit', {
      async list(limit: number) {
        await chain;
        const text = await readFile(file, 'utf8').catch(() => '');
        return text
          .split('\n')
          .filter(Boolean)
          .slice(-limit)
          .map((l) => JSON.parse(l) as AuditEntry)
          .reverse();
      },
    });
  },
  { name: 'audit', dependencies: ['config'] },
);
