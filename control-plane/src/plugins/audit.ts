import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditEntry } from '@pulse/contracts';
import { AUDIT_FILE } from '../constants.js';
import { AuditFile } from './audit-file.js';

declare module 'fastify' {
  interface FastifyInstance {
    audit: {
      /** Newest first; without a valid operator token, entries lose their bodies and addresses. */
      list(limit: number, forOperator: boolean): Promise<AuditEntry[]>;
      /** Writes an entry for a change made other than by an audited route (an INSERT through the SQL gateway). */
      record(entry: AuditEntry): Promise<void>;
    };
  }
  interface FastifyContextConfig {
    /** Marks a route as mutating: every call is written to the audit trail. */
    audited?: string;
  }
}

/** What a viewer may read of an entry: what happened to which job, not bodies or addresses. */
export function forViewers(entry: AuditEntry): AuditEntry {
  return {
    at: entry.at,
    who: entry.who.replace(/@.*$/, ''),
    action: entry.action,
    target: entry.target,
    status: entry.status,
  };
}

/** Who did what, when, and how it ended: one JSON line per mutating call, kept on disk. */
export default fp(
  async (fastify: FastifyInstance) => {
    await mkdir(fastify.config.stateDir, { recursive: true });
    const trail = new AuditFile({
      file: join(fastify.config.stateDir, AUDIT_FILE),
      maxBytes: fastify.config.auditMaxBytes,
      onTorn: (count) => fastify.log.warn({ count }, 'skipped torn lines in the audit trail'),
    });
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
      await trail
        .append(entry)
        .catch((err: unknown) => fastify.log.error({ err }, 'could not write the audit trail'));
    });

    fastify.decorate('audit', {
      async list(limit: number, forOperator: boolean) {
        const entries = await trail.list(limit);
        return forOperator ? entries : entries.map(forViewers);
      },
      record: (entry: AuditEntry) =>
        trail
          .append(entry)
          .catch((err: unknown) => fastify.log.error({ err }, 'could not write the audit trail')),
    });
  },
  { name: 'audit', dependencies: ['config'] },
);
