import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance } from 'fastify';
import { CodedError } from '@pulse/kit';
import { FlinkError } from '../flink/index.js';
import { JobScriptError } from '../jobs/script.js';
import { SqlInvalidError } from '../jobs/service.js';
import { StateVerdictError } from '../jobs/deploying.js';

const STATUS_BY_CODE: Record<string, number> = {
  JOB_NOT_FOUND: 404,
  JOB_NAME_INVALID: 400,
  JOB_INCLUDE_OUTSIDE: 400,
  JOB_UNKNOWN_VARIABLE: 400,
  JOB_VARIABLE_INVALID: 400,
  JOB_BUSY: 409,
  JOB_DUPLICATED: 409,
  JOB_NOT_RUNNING: 409,
  JOB_VARIABLE_RESERVED: 400,
  START_INVALID: 400,
  JOB_RUNNING: 409,
  NO_STATE: 409,
  STATE_INCOMPATIBLE: 409,
  STATE_DROPPED: 409,
  UPGRADE_ROLLED_BACK: 422,
  UPGRADE_FAILED: 502,
  STOP_PENDING: 504,
  SAVEPOINT_FAILED: 502,
  FLINK_UNREACHABLE: 503,
  HISTORY_BAD_REQUEST: 400,
  HISTORY_UNAVAILABLE: 503,
};

/** One place that turns errors into responses: a reason and a stable code, never a stack. */
export default fp(
  async (fastify: FastifyInstance) => {
    fastify.setErrorHandler(async (error: FastifyError | Error, request, reply) => {
      if ('validation' in error && error.validation) {
        return reply.code(400).send({ error: 'BAD_REQUEST', message: error.message });
      }
      if (error instanceof SqlInvalidError) {
        return reply.code(422).send({
          error: error.code,
          message: error.message,
          statement: error.statement,
          file: error.file,
          line: error.line,
          column: error.column,
        });
      }
      if (error instanceof JobScriptError) {
        const status = STATUS_BY_CODE[error.code] ?? 422;
        return reply.code(status).send({
          error: error.code,
          message: error.message,
          ...(error.file ? { file: error.file } : {}),
          ...(error.line ? { line: error.line } : {}),
        });
      }
      if (error instanceof FlinkError) {
        const status = STATUS_BY_CODE[error.code] ?? 502;
        request.log.warn({ err: error, status: error.status }, 'Flink call failed');
        return reply.code(status).send({ error: error.code, message: error.message });
      }
      if (error instanceof StateVerdictError) {
        return reply
          .code(STATUS_BY_CODE[error.code] ?? 409)
          .send({ error: error.code, message: error.message, verdict: error.verdict });
      }
      if (error instanceof CodedError) {
        return reply
          .code(STATUS_BY_CODE[error.code] ?? 500)
          .send({ error: error.code, message: error.message });
      }
      const status = (error as FastifyError).statusCode;
      if (status && status >= 400 && status < 500) {
        return reply
          .code(status)
          .send({ error: (error as FastifyError).code ?? 'BAD_REQUEST', message: error.message });
      }
      request.log.error(
        { err: error, url: request.url, method: request.method },
        'unhandled error',
      );
      return reply
        .code(500)
        .send({ error: 'INTERNAL', message: 'internal error; see the control plane log' });
    });
  },
  { name: 'errors' },
);
