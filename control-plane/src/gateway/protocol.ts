/**
 * The bodies of Flink 1.18's SQL Gateway REST protocol (rest_v1_sql_gateway.yml and
 * rest_v2_sql_gateway.yml) as the SQL Client and the JDBC driver read them.
 */
import { Type, type Static } from 'typebox';
import type { ApiVersion } from './constants.js';
import type { Fetched } from './operation.js';

export const RowFormat = Type.Union([Type.Literal('JSON'), Type.Literal('PLAIN_TEXT')]);
export type RowFormat = Static<typeof RowFormat>;

export const SessionParams = Type.Object({ sessionHandle: Type.String() });
export const OperationParams = Type.Object({
  sessionHandle: Type.String(),
  operationHandle: Type.String(),
});
export const ResultParams = Type.Object({
  sessionHandle: Type.String(),
  operationHandle: Type.String(),
  token: Type.Integer({ minimum: 0 }),
});

export const OpenSessionBody = Type.Object({
  sessionName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  properties: Type.Optional(Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()])),
});

export const StatementBody = Type.Object({
  statement: Type.String(),
  executionTimeout: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  executionConfig: Type.Optional(
    Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
  ),
});

export const CompleteBody = Type.Object({
  statement: Type.String(),
  position: Type.Integer({ minimum: 0 }),
});

/** The URI of a result page, as Flink's gateway writes `nextResultUri` (v1 has no row format). */
export function resultUri(
  version: ApiVersion,
  session: string,
  operation: string,
  token: number,
  rowFormat: RowFormat,
): string {
  const base = `/${version.toLowerCase()}/sessions/${session}/operations/${operation}/result/${token}`;
  return version === 'V1' ? base : `${base}?rowFormat=${rowFormat}`;
}

/** A FetchResultsResponseBody for a fetched page. */
export function fetchBody(
  fetched: Fetched,
  uri: (token: number) => string,
  token: number,
  rowFormat: RowFormat,
): Record<string, unknown> {
  if (fetched.type === 'NOT_READY') return { resultType: 'NOT_READY', nextResultUri: uri(token) };
  const { header } = fetched;
  return {
    resultType: fetched.type,
    isQueryResult: header.isQueryResult,
    ...(header.jobId ? { jobID: header.jobId } : {}),
    resultKind: header.resultKind,
    results: {
      columns: header.columns,
      rowFormat,
      data: fetched.rows.map((row) => ({
        kind: row.kind,
        fields:
          rowFormat === 'PLAIN_TEXT'
            ? (row.text ?? row.fields.map((f) => (f === null ? null : plain(f))))
            : row.fields,
      })),
    },
    ...(fetched.nextToken !== null ? { nextResultUri: uri(fetched.nextToken) } : {}),
  };
}

const plain = (value: unknown): string =>
  typeof value === 'object' ? JSON.stringify(value) : String(value);
