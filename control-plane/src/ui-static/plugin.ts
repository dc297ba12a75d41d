/**
 * Serves the built dashboard (ui/dist) from the control plane, so one port serves the API, the
 * WebSocket and the page. Unknown GETs that are not API calls fall back to index.html, so a
 * reload on a client-side route still loads the app. Without a build it registers nothing.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** UI_DIST: where the built UI lives; default: the ui workspace's dist folder in this checkout. */
export const DEFAULT_UI_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../../ui/dist');

/** Path prefixes that belong to the server, never to the single-page app. */
const SERVER_PREFIXES = ['/api', '/ws', '/docs'];

export interface UiStaticOptions {
  root?: string;
}

async function uiStatic(fastify: FastifyInstance, options: UiStaticOptions): Promise<void> {
  const root = options.root ?? process.env.UI_DIST ?? DEFAULT_UI_DIST;
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
