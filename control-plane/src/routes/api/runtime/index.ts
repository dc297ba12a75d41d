import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RuntimeEvent } from '@pulse/contracts';

/** Parses the runtime event file (one JSON object per line); torn or foreign lines are skipped. */
export function parseRuntimeEvents(text: string): RuntimeEvent[] {
  const events: RuntimeEvent[] = [];
  for (const line of text.split('\n')) {
    try {
      const value = JSON.parse(line) as RuntimeEvent;
      if (value && typeof value.part === 'string' && typeof value.event === 'string')
        events.push(value);
    } catch {
      // blank or torn
    }
  }
  return events;
}

/** What the runtime's supervisor did: crashes and restarts of its parts, newest first. */
const runtime: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/events',
    {
      schema: {
        tags: ['runtime'],
        summary: 'Crashes and restarts of the runtime parts and services, newest first',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: { 200: Type.Object({ events: Type.Array(RuntimeEvent) }) },
      },
    },
    async (request) => {
      const text = await readFile(fastify.config.runtimeEventsFile, 'utf8').catch(() => '');
      return {
        events: parseRuntimeEvents(text)
          .slice(-(request.query.limit ?? 100))
          .reverse(),
      };
    },
  );
};

export default runtime;
