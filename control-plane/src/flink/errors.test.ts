import { describe, expect, it } from 'vitest';
import { parseRunnerError, summarizeFlinkErrors } from './errors.js';

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
