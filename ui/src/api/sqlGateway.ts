/**
 * A small typed client of Flink's SQL Gateway REST protocol (v2, as Flink 1.18's
 * rest_v2_sql_gateway.yml), served by the control plane under /sql-gateway on the dashboard's
 * own origin. Errors come back as SqlGatewayError holding the gateway's `errors` strings.
 */

/** Where the control plane mounts the gateway's routes on its main port. */
export const GATEWAY_PREFIX = '/sql-gateway';

export type RowKind = 'INSERT' | 'UPDATE_BEFORE' | 'UPDATE_AFTER' | 'DELETE';
export type ResultType = 'NOT_READY' | 'PAYLOAD' | 'EOS';
export type ResultKind = 'SUCCESS' | 'SUCCESS_WITH_CONTENT';

/** Flink's LogicalType JSON (LogicalTypeJsonSerializer); only the fields the page reads. */
export interface LogicalType {
  type: string;
  nullable?: boolean;
  length?: number;
  precision?: number;
  scale?: number;
}

export interface ColumnInfo {
  name: string;
  logicalType: LogicalType;
  comment?: string | null;
}

/** One changelog row in the JSON row format. */
export interface RowData {
  kind: RowKind;
  fields: unknown[];
}

export interface FetchResultsBody {
  resultType: ResultType;
  isQueryResult?: boolean;
  jobID?: string;
  resultKind?: ResultKind;
  results?: { columns?: ColumnInfo[]; rowFormat?: string; data?: RowData[] };
  nextResultUri?: string;
}

export class SqlGatewayError extends Error {
  constructor(
    readonly status: number,
    /** The gateway's `errors` (Flink's message first, as its gateway answers). */
    readonly errors: string[],
  ) {
    super(errors.join('\n'));
    this.name = 'SqlGatewayError';
  }
}

/** The path of a gateway route on this origin: `/v2/...` becomes `/sql-gateway/v2/...`. */
export function gatewayPath(uri: string): string {
  let path = uri;
  if (/^https?:\/\//.test(path)) {
    const url = new URL(path);
    path = url.pathname + url.search;
  }
  if (path === GATEWAY_PREFIX || path.startsWith(`${GATEWAY_PREFIX}/`)) return path;
  return `${GATEWAY_PREFIX}${path.startsWith('/') ? '' : '/'}${path}`;
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(gatewayPath(path), {
      ...init,
      headers: {
        accept: 'application/json',
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
    });
  } catch (cause) {
    throw new SqlGatewayError(0, [`SQL gateway unreachable: ${(cause as Error).message}`]);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const errors = (body as { errors?: unknown } | undefined)?.errors;
    throw new SqlGatewayError(
      response.status,
      Array.isArray(errors) && errors.length > 0
        ? errors.map(String)
        : [text || `HTTP ${response.status} ${response.statusText}`],
    );
  }
  return body as T;
}

const session = (handle: string) => `/v2/sessions/${encodeURIComponent(handle)}`;
const operation = (handle: string, op: string) =>
  `${session(handle)}/operations/${encodeURIComponent(op)}`;

/** GET /v2/info: productName and the cluster's Flink version. */
export function getInfo(): Promise<{ productName: string; version: string }> {
  return call('/v2/info');
}

/** POST /v2/sessions: a new session with these properties; its handle. */
export async function openSession(
  properties: Record<string, string> = {},
  sessionName?: string,
): Promise<string> {
  const body = await call<{ sessionHandle: string }>('/v2/sessions', {
    method: 'POST',
    body: JSON.stringify({ properties, ...(sessionName ? { sessionName } : {}) }),
  });
  return body.sessionHandle;
}

/** GET /v2/sessions/{h}: the session's properties (its SET options included). */
export async function getSessionConfig(handle: string): Promise<Record<string, string>> {
  return (await call<{ properties?: Record<string, string> }>(session(handle))).properties ?? {};
}

/** POST /v2/sessions/{h}/heartbeat: keeps the session from expiring. */
export async function heartbeat(handle: string): Promise<void> {
  await call(`${session(handle)}/heartbeat`, { method: 'POST', body: '{}' });
}

/** DELETE /v2/sessions/{h}: closes the session and every operation in it. */
export async function closeSession(handle: string): Promise<void> {
  await call(session(handle), { method: 'DELETE' });
}

/**
 * Closes a session while the page goes away: a keepalive fetch outlives the page (sendBeacon
 * cannot, as it only POSTs and the protocol closes with DELETE).
 */
export function closeSessionOnExit(handle: string): void {
  try {
    void fetch(gatewayPath(session(handle)), { method: 'DELETE', keepalive: true }).catch(() => {});
  } catch {
    // The page is going away; the gateway's idle expiry closes what this could not.
  }
}

/** POST /v2/sessions/{h}/statements: starts a statement; its operation handle. */
export async function executeStatement(handle: string, statement: string): Promise<string> {
  const body = await call<{ operationHandle: string }>(`${session(handle)}/statements`, {
    method: 'POST',
    body: JSON.stringify({ statement }),
  });
  return body.operationHandle;
}

/** The URI of an operation's first result page, in JSON row format. */
export function firstResultUri(handle: string, op: string): string {
  return `${operation(handle, op)}/result/0?rowFormat=JSON`;
}

/** GET a result page by the URI the previous page named (or `firstResultUri`). */
export function fetchResults(uri: string): Promise<FetchResultsBody> {
  return call<FetchResultsBody>(uri);
}

/** DELETE .../operations/{o}/close: ends the operation (the preview job is cancelled). */
export async function closeOperation(handle: string, op: string): Promise<void> {
  await call(`${operation(handle, op)}/close`, { method: 'DELETE' });
}

/**
 * Completion hints of the gateway for `statement` at `position`. Flink's route is a GET with a
 * JSON body, which browsers cannot send; the query string carries the same two fields.
 */
export async function completeStatement(
  handle: string,
  statement: string,
  position: number,
): Promise<string[]> {
  const query = new URLSearchParams({ statement, position: String(position) });
  const body = await call<{ candidates?: string[] }>(
    `${session(handle)}/complete-statement?${query.toString()}`,
  );
  return body.candidates ?? [];
}
