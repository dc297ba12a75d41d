import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  CancelResult,
  DeployBody,
  DeployResult,
  ErrorBody,
  JobDiagnostics,
  JobList,
  JobName,
  JobSummary,
  StopResult,
  ValidateResult,
} from '@pulse/contracts';
import { viewerDetails } from '../../../jobs/listing.js';

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  422: ErrorBody,
  502: ErrorBody,
  503: ErrorBody,
  504: ErrorBody,
};

/** The job API: reads are open to viewers, changes need the operator token and are audited. */
const jobs: FastifyPluginAsyncTypebox = async (fastify) => {
  // A POST without a body means "no options": validate it as an empty object.
  fastify.addHook('preValidation', async (request) => {
    if (request.method === 'POST' && (request.body === undefined || request.body === null))
      request.body = {};
  });
  // What runs changed: the dashboard's panels follow at once, not at the relay's next look.
  fastify.addHook('onResponse', async (request) => {
    if (request.method !== 'POST' || /\/validate$/.test(request.url)) return;
    if (!fastify.hasDecorator('relay')) return;
    fastify.relay
      .syncPanels()
      .catch((err: unknown) => request.log.warn({ err }, 'could not refresh the panels'));
  });

  fastify.get(
    '/',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Every job file with its live state in Flink',
        response: { 200: JobList, ...errors },
      },
    },
    async () => ({ jobs: await fastify.jobs.list() }),
  );

  fastify.get(
    '/:name',
    {
      schema: {
        tags: ['jobs'],
        summary:
          "Flink's view of a job: vertices, checkpoints, exceptions, savepoints (traces and paths with the operator token only)",
        params: JobName,
        response: {
          200: Type.Object({
            job: JobSummary,
            flink: Type.Unknown(),
            savepoints: Type.Array(Type.Unknown()),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const details = await fastify.jobs.details(request.params.name);
      // Viewers read states and figures; traces and paths are for operators.
      return fastify.isOperator(request) ? details : viewerDetails(details);
    },
  );

  fastify.get(
    '/:name/diagnostics',
    {
      schema: {
        tags: ['jobs'],
        summary:
          'Why a job does what it does: records, back pressure, watermarks per subtask, late records, Kafka positions, checkpoints and hints (why has my window not fired?); the script and exception traces with the operator token only',
        params: JobName,
        response: { 200: JobDiagnostics, ...errors },
      },
    },
    async (request) => fastify.jobs.diagnose(request.params.name, fastify.isOperator(request)),
  );

  fastify.post(
    '/:name/validate',
    {
      onRequest: fastify.requireOperator,
      config: { audited: 'validate' },
      schema: {
        tags: ['jobs'],
        summary: "Compile the script with Flink's planner on the cluster (no job starts)",
        params: JobName,
        body: Type.Object(
          { variables: Type.Optional(Type.Record(Type.String(), Type.String())) },
          { additionalProperties: false },
        ),
        response: { 200: ValidateResult, ...errors },
      },
    },
    async (request) => {
      const variables = request.body.variables ?? {};
      const { hash, plan, panels } = await fastify.jobs.validate(request.params.name, variables);
      return { valid: true as const, hash, plan, panels };
    },
  );

  fastify.post(
    '/:name/deploy',
    {
      onRequest: fastify.requireOperator,
      config: { audited: 'deploy' },
      schema: {
        tags: ['jobs'],
        summary:
          'Start the job (from its latest state, now, the earliest input or a time), or upgrade the running copy through a savepoint after checking its state carries over',
        params: JobName,
        body: DeployBody,
        response: { 200: DeployResult, ...errors },
      },
    },
    async (request) => fastify.jobs.deploy(request.params.name, request.body),
  );

  fastify.post(
    '/:name/stop',
    {
      onRequest: fastify.requireOperator,
      config: { audited: 'stop' },
      schema: {
        tags: ['jobs'],
        summary: 'Stop with a savepoint; 202 while the savepoint is still pending',
        params: JobName,
        response: { 200: StopResult, 202: StopResult, ...errors },
      },
    },
    async (request, reply) => {
      const result = await fastify.jobs.stop(request.params.name);
      return reply.code(result.state === 'STOPPED' ? 200 : 202).send(result);
    },
  );

  fastify.post(
    '/:name/cancel',
    {
      onRequest: fastify.requireOperator,
      config: { audited: 'cancel' },
      schema: {
        tags: ['jobs'],
        summary: 'Cancel without a savepoint',
        params: JobName,
        response: { 200: CancelResult, ...errors },
      },
    },
    async (request) => fastify.jobs.cancel(request.params.name),
  );
};

export default jobs;
