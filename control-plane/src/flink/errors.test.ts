import { describe, expect, it } from 'vitest';
import { AxiosError, AxiosHeaders } from 'axios';
import { parseRunnerError, summarizeFlinkErrors, toFlinkError } from './errors.js';

// The shape Flink 1.12 returns from /jars/:id/run when the program's main throws.
const flinkErrors = [
  'org.apache.flink.runtime.rest.handler.RestHandlerException: Could not execute application.\n\tat org.apache.flink.runtime.webmonitor.handlers.JarRunHandler.lambda$handleRequest$1(JarRunHandler.java:108)\n' +
    "Caused by: org.apache.flink.client.program.ProgramInvocationException: The main method caused an error: statement 2 at line 7, column 1: Object 'nope' not found\n" +
    'SQLRUNNER_ERROR {"statement":2,"line":7,"column":1,"message":"Object \'nope\' not found \\"quoted\\""}\n' +
    "Caused by: org.apache.calcite.sql.validate.SqlValidatorException: Object 'nope' not found\n",
];

describe('runner errors in Flink responses', () => {
  it('finds the statement, file line and Flink message', () => {
    expect(parseRunnerError(flinkErrors)).toEqual({
      statement: 2,
      line: 7,
      column: 1,
      message: 'Object \'nope\' not found "quoted"',
    });
  });

  it('returns nothing for a failure that did not come from a script', () => {
    expect(parseRunnerError(['java.net.ConnectException: refused'])).toBeUndefined();
  });

  it('summarises with the deepest cause', () => {
    expect(summarizeFlinkErrors(flinkErrors)).toBe(
      "org.apache.calcite.sql.validate.SqlValidatorException: Object 'nope' not found",
    );
  });
});

describe('toFlinkError', () => {
  const answered = (status: number, errors?: string[]) =>
    new AxiosError('Request failed', 'ERR_BAD_RESPONSE', undefined, undefined, {
      status,
      statusText: '',
      headers: {},
      config: { headers: new AxiosHeaders() },
      data: errors ? { errors } : {},
    });
  const network = (code: string) => new AxiosError(`connect ${code}`, code);

  it('keeps Flink’s own message and gives each answer a stable code', () => {
    const err = toFlinkError(
      answered(400, ['Job id must be 32 hex digits']),
      'cancel job',
      'idempotent',
    );
    expect(err).toMatchObject({ code: 'FLINK_BAD_REQUEST', status: 400, retriable: false });
    expect(err.message).toBe('cancel job: Flink answered 400: Job id must be 32 hex digits');
    expect(toFlinkError(answered(404), 'job', 'idempotent').code).toBe('FLINK_NOT_FOUND');
    expect(toFlinkError(answered(409), 'job', 'idempotent').code).toBe('FLINK_REQUEST_REJECTED');
  });

  it('retries a 500 from a read but never from a submission (it may have started a job)', () => {
    expect(toFlinkError(answered(500), 'overview', 'idempotent').retriable).toBe(true);
    const run = toFlinkError(answered(500, ['Program failed']), 'run jar', 'once');
    expect(run).toMatchObject({ code: 'FLINK_SERVER_ERROR', retriable: false });
    expect(toFlinkError(answered(503), 'run jar', 'once').retriable).toBe(true);
  });

  it('retries a submission only when the request never reached Flink', () => {
    expect(toFlinkError(network('ECONNREFUSED'), 'run jar', 'once')).toMatchObject({
      code: 'FLINK_UNREACHABLE',
      retriable: true,
    });
    expect(toFlinkError(network('ECONNRESET'), 'run jar', 'once').retriable).toBe(false);
    expect(toFlinkError(network('ECONNRESET'), 'overview', 'idempotent').retriable).toBe(true);
    expect(toFlinkError(new Error('boom'), 'x', 'idempotent')).toMatchObject({
      code: 'FLINK_CLIENT',
      retriable: false,
    });
  });
});
