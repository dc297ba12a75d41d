import { describe, expect, it } from 'vitest';
import { CodedError } from '@pulse/kit';
import { errorReply, GatewayError } from './errors.js';

describe('gateway errors', () => {
  it('answer in the protocol shape with a status by code, and never leak an internal error', () => {
    expect(
      errorReply(new GatewayError('SESSION_NOT_FOUND', "Session 'x' does not exist.")),
    ).toEqual({
      status: 404,
      body: { errors: ["Session 'x' does not exist."] },
    });
    expect(errorReply(new GatewayError('TOO_MANY_PREVIEWS', 'too many')).status).toBe(429);
    expect(errorReply(new CodedError('FLINK_UNREACHABLE', 'Flink is down', true))).toEqual({
      status: 503,
      body: { errors: ['Flink is down'] },
    });
    expect(errorReply(new CodedError('JOB_RUNNING', 'runs')).status).toBe(409);
    expect(errorReply(new TypeError('secret detail at /srv/x.ts:1'))).toEqual({
      status: 500,
      body: { errors: ['Internal server error.'] },
    });
    const validation = Object.assign(new Error('body/statement must be string'), {
      validation: [{}],
      statusCode: 400,
    });
    expect(errorReply(validation)).toEqual({
      status: 400,
      body: { errors: ['body/statement must be string'] },
    });
  });
});
