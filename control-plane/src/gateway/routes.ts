/**
 * Flink 1.18's SQL Gateway REST routes, served for V1 and V2 under this plugin's prefix (the
 * gateway's own port at `/`, the main port at `/sql-gateway`). Errors answer in the protocol's
 * shape, `{"errors": [...]}`, with 404 for an unknown session, operation or route.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { HEADERS } from '../constants.js';
import { API_VERSIONS, PRODUCT_NAME, type ApiVersion } from './constants.js';
import { errorReply, GatewayError } from './errors.js';
import type { Caller, SqlGateway } from './gateway.js';
import {
  CompleteBody,
  OpenSessionBody,
  OperationParams,
  ResultParams,
  RowFormat,
  SessionParams,
  StatementBody,
  fetchBody,
  resultUri,
} from './protocol.js';

export interface GatewayRoutesOptions {
  gateway: SqlGateway;
}

/** The operator's identity when the request carries the operator token (INSERT needs it). */
function caller(fastify: FastifyInstance, request: FastifyRequest): Caller {
  if (!fastify.hasDecorator('isOperator') || !fastify.isOperator(request)) return {};
  const name = request.headers[HEADERS.operator];
  return {
    operator: `${typeof name === 'string' && name ? name.slice(0, 60) : 'operator'}@${request.ip}`,
  };
}

/** Reads a GET request's JSON body, which Fastify leaves unparsed (Flink sends completion so). */
async function rawJson(request: FastifyRequest): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request.raw) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim() ? JSON.parse(text) : {};
}

const versioned: FastifyPluginAsyncTypebox<GatewayRoutesOptions & { version: ApiVersion }> = async (
  fastify,
  { gateway, version },
) => {
  fastify.get('/api_versions', async () => ({ versions: [...API_VERSIONS] }));

  fastify.get('/info', async () => ({
    productName: PRODUCT_NAME,
    version: await gateway.version(),
  }));

  fastify.post(
    '/sessions',
    { schema: { body: Type.Optional(OpenSessionBody) } },
    async (request) => {
      const body = request.body ?? {};
      const handle = await gateway.openSession(
        body.properties ?? {},
        body.sessionName ?? undefined,
      );
      return { sessionHandle: handle };
    },
  );

  fastify.get(
    '/sessions/:sessionHandle',
    { schema: { params: SessionParams } },
    async (request) => ({
      properties: await gateway.properties(request.params.sessionHandle),
    }),
  );

  fastify.delete(
    '/sessions/:sessionHandle',
    { schema: { params: SessionParams } },
    async (request) => {
      await gateway.closeSession(request.params.sessionHandle);
      return { status: 'CLOSED' };
    },
  );

  fastify.post(
    '/sessions/:sessionHandle/heartbeat',
    { schema: { params: SessionParams } },
    async (request) => {
      gateway.heartbeat(request.params.sessionHandle);
      return {};
    },
  );

  fastify.post(
    '/sessions/:sessionHandle/configure-session',
    { schema: { params: SessionParams, body: StatementBody } },
    async (request) => {
      await gateway.configure(
        request.params.sessionHandle,
        request.body.statement,
        caller(fastify, request),
      );
      return {};
    },
  );

  // Flink's route is a GET with a JSON body; browsers cannot send one, so the query works too.
  const complete = async (
    session: string,
    input: { statement?: unknown; position?: unknown },
  ): Promise<{ candidates: string[] }> => {
    const position = Number(input.position);
    if (typeof input.statement !== 'string' || !Number.isInteger(position) || position < 0)
      throw new GatewayError('BAD_REQUEST', 'complete-statement needs a statement and a position');
    return { candidates: await gateway.complete(session, input.statement, position) };
  };
  fastify.get(
    '/sessions/:sessionHandle/complete-statement',
    { schema: { params: SessionParams } },
    async (request) => {
      const query = request.query as { statement?: string; position?: string };
      const input = query.statement !== undefined ? query : ((await rawJson(request)) as object);
      return complete(request.params.sessionHandle, input);
    },
  );
  fastify.post(
    '/sessions/:sessionHandle/complete-statement',
    { schema: { params: SessionParams, body: CompleteBody } },
    async (request) => complete(request.params.sessionHandle, request.body),
  );

  fastify.post(
    '/sessions/:sessionHandle/statements',
    { schema: { params: SessionParams, body: StatementBody } },
    async (request) => ({
      operationHandle: gateway.execute(
        request.params.sessionHandle,
        request.body.statement,
        caller(fastify, request),
      ),
    }),
  );

  fastify.get(
    '/sessions/:sessionHandle/operations/:operationHandle/status',
    { schema: { params: OperationParams } },
    async (request) => ({
      status: gateway.status(request.params.sessionHandle, request.params.operationHandle),
    }),
  );

  fastify.post(
    '/sessions/:sessionHandle/operations/:operationHandle/cancel',
    { schema: { params: OperationParams } },
    async (request) => ({
      status: await gateway.cancel(request.params.sessionHandle, request.params.operationHandle),
    }),
  );

  fastify.delete(
    '/sessions/:sessionHandle/operations/:operationHandle/close',
    { schema: { params: OperationParams } },
    async (request) => ({
      status: await gateway.closeOperation(
        request.params.sessionHandle,
        request.params.operationHandle,
      ),
    }),
  );

  fastify.get(
    '/sessions/:sessionHandle/operations/:operationHandle/result/:token',
    {
      schema: {
        params: ResultParams,
        querystring: Type.Object({ rowFormat: Type.Optional(RowFormat) }),
      },
    },
    async (request) => {
      const { sessionHandle, operationHandle, token } = request.params;
      // V2 requires the row format; V1 predates it and answers JSON.
      if (version !== 'V1' && !request.query.rowFormat)
        throw new GatewayError(
          'BAD_REQUEST',
          'the query parameter rowFormat (JSON or PLAIN_TEXT) is required',
        );
      const rowFormat = request.query.rowFormat ?? 'JSON';
      const fetched = await gateway.fetch(sessionHandle, operationHandle, token);
      return fetchBody(
        fetched,
        (t) => resultUri(version, sessionHandle, operationHandle, t, rowFormat),
        token,
        rowFormat,
      );
    },
  );
};

/** Every route of the protocol, for each version, with the protocol's errors. */
const gatewayRoutes: FastifyPluginAsyncTypebox<GatewayRoutesOptions> = async (fastify, options) => {
  // Flink's client sends "{}" or nothing with GET and DELETE; an empty JSON body is no body.
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        const text = String(body);
        done(null, text.trim() ? JSON.parse(text) : undefined);
      } catch (err) {
        (err as { statusCode?: number }).statusCode = 400;
        done(err as Error, undefined);
      }
    },
  );
  fastify.setErrorHandler(async (error, request, reply) => {
    const { status, body } = errorReply(error);
    if (status >= 500) request.log.error({ err: error, url: request.url }, 'SQL gateway error');
    return reply.code(status).send(body);
  });
  fastify.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({ errors: [`Not found: ${request.method} ${request.url}`] }),
  );
  for (const version of API_VERSIONS)
    await fastify.register(versioned, { ...options, version, prefix: `/${version.toLowerCase()}` });
};

export default gatewayRoutes;
