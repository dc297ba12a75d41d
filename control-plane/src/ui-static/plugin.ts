/**
 * Serves the built dashboard (ui/dist) from the control plane, so one port serves the API, the
 * WebSocket and the page. Unknown GETs that are not API calls fall back to index.html, so a
 * reload on a client-side route still loads the app. Without a build it registers nothing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Path prefixes that belong to the server, never to the single-page app. */
const SERVER_PREFIXES = ['/api', '/ws', '/docs'];

export interface UiStaticOptions {
  /** The built dashboard (the config's UI_DIST). */
  root: string;
}

async function uiStatic(fastify: FastifyInstance, options: UiStaticOptions): Promise<void> {
  const { root } = options;
  if (!existsSync(join(root, 'index.html'))) {
    fastify.log.info(
      { root },
      'no built UI found; run `npm run build -w ui` to serve the dashboard',
    );
    return;
  }
  await fastify.register(fastifyStatic, { root, wildcard: false, index: ['index.html'] });
  fastify.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isPage =
      request.method === 'GET' &&
      !SERVER_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
    if (isPage && !/\.\w+$/.test(path)) return reply.type('text/html').sendFile('index.html');
    return reply
      .code(404)
      .send({ error: 'NOT_FOUND', message: `${request.method} ${path} not found` });
  });
}

export default fp(uiStatic, { name: 'ui-static', fastify: '5.x' });
