/**
 * Answers only requests addressed to a host name it knows. A page on another site can make a
 * browser resolve its own name to 127.0.0.1 (DNS rebinding) and then talk to this service as if
 * same-origin; the Host header still carries the attacker's name, so it is refused here.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

/** The host name of a Host header, without port and IPv6 brackets, lower case. */
export function hostName(header: string | undefined): string {
  if (!header) return '';
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/** Whether a Host header names an allowed host ('*' allows any). */
export function hostAllowed(header: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.includes('*')) return true;
  return allowed.includes(hostName(header));
}

export default fp(
  async (fastify: FastifyInstance) => {
    const allowed = fastify.config.allowedHosts;
    fastify.addHook('onRequest', async (request, reply) => {
      if (hostAllowed(request.headers.host, allowed)) return;
      request.log.warn({ host: request.headers.host }, 'refused a request for a host not allowed');
      await reply.code(421).send({
        error: 'HOST_NOT_ALLOWED',
        message: `this service answers for ${allowed.join(', ')}; set ALLOWED_HOSTS to add a name`,
      });
      return reply;
    });
  },
  { name: 'host-check', dependencies: ['config'] },
);
