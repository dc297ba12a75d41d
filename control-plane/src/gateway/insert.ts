/**
 * INSERT through the gateway starts a lasting job, an operator's act: refused unless the operator
 * enabled it (SQL_GATEWAY_ALLOW_INSERT), and then only with the operator token; the session's
 * script goes through the job API's deploy path (`DeployInsert`) as job `sql-<session>-<n>`.
 */
import { GatewayError } from './errors.js';
import type { ResultHeader } from './operation.js';
import type { Row } from './planner.js';
import { INSERT_JOB_PREFIX } from './constants.js';

/** Starts an INSERT's script as a lasting job through the job API's deploy path. */
export type DeployInsert = (
  job: string,
  script: string,
  who: string,
  statement: string,
) => Promise<{ jobId: string }>;

/** The one column of an INSERT's answer, as Flink's: the id of the job it started. */
const JOB_ID_COLUMN = {
  name: 'job id',
  logicalType: { type: 'VARCHAR', nullable: true, length: 2147483647 },
  comment: null,
};

/** The job an INSERT of a session starts: `sql-<first 8 of the session>-<n>`. */
export function insertJobName(sessionId: string, n: number): string {
  return `${INSERT_JOB_PREFIX}${sessionId.slice(0, 8)}-${n}`;
}

/** Deploys an INSERT's script when allowed; its answer: the started job's id. */
export async function runInsert(o: {
  allowed: boolean;
  deploy: DeployInsert | undefined;
  operator: string | undefined;
  job: () => string;
  script: string;
  statement: string;
}): Promise<{ header: ResultHeader; rows: Row[] }> {
  if (!o.allowed || !o.deploy)
    throw new GatewayError(
      'INSERT_REFUSED',
      "INSERT starts a lasting job, which is an operator's act: the operator has not enabled it through the SQL gateway (SQL_GATEWAY_ALLOW_INSERT). Deploy a job file through the job API instead; queries (SELECT) run here as previews.",
    );
  if (!o.operator)
    throw new GatewayError(
      'OPERATOR_TOKEN_MISSING',
      'INSERT starts a lasting job: send the operator token with the statement (Authorization: Bearer <token>; the Flink SQL client sends FLINK_REST_CLIENT_HEADERS)',
    );
  const { jobId } = await o.deploy(o.job(), o.script, o.operator, o.statement);
  return {
    header: {
      isQueryResult: false,
      resultKind: 'SUCCESS_WITH_CONTENT',
      columns: [JOB_ID_COLUMN],
      jobId,
    },
    rows: [{ kind: 'INSERT', fields: [jobId], text: [jobId] }],
  };
}
