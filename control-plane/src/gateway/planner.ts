/**
 * The planner's HTTP API (a long-lived JVM beside the cluster holding one Flink 1.12
 * TableEnvironment per session): the gateway's sessions and statements are answered there.
 */
import axios, { type AxiosInstance } from 'axios';
import { GatewayError } from './errors.js';

/** A column as Flink 1.18's gateway writes it (`logicalType` in LogicalTypeJsonSerializer's JSON). */
export interface Column {
  name: string;
  logicalType: Record<string, unknown>;
  comment: string | null;
}

/** A changelog row: JSON fields for rowFormat=JSON, `text` as the SQL client prints them. */
export interface Row {
  kind: 'INSERT' | 'UPDATE_BEFORE' | 'UPDATE_AFTER' | 'DELETE';
  fields: unknown[];
  text?: (string | null)[];
}

/** Where a query's preview writes, given only when the gateway is ready to run it. */
export interface PreviewTarget {
  topic: string;
  bootstrapServers: string;
  jobName: string;
}

export type PlannerAnswer =
  | {
      resultType: 'TABLE';
      resultKind: 'SUCCESS' | 'SUCCESS_WITH_CONTENT';
      columns: Column[];
      rows: Row[];
    }
  | { resultType: 'QUERY'; columns: Column[]; jobId?: string }
  | { resultType: 'INSERT'; script: string };

/** What the gateway asks of the planner; an interface so the session logic is tested without it. */
export interface Planner {
  health(): Promise<{ flinkVersion: string }>;
  openSession(
    sessionId: string,
    properties: Record<string, string>,
    prelude: string,
  ): Promise<void>;
  properties(sessionId: string): Promise<Record<string, string>>;
  closeSession(sessionId: string): Promise<void>;
  statement(sessionId: string, statement: string, preview?: PreviewTarget): Promise<PlannerAnswer>;
  complete(sessionId: string, statement: string, position: number): Promise<string[]>;
}

/** The planner over HTTP; its errors become GatewayErrors carrying Flink's message. */
export class HttpPlanner implements Planner {
  private readonly http: AxiosInstance;

  constructor(baseUrl: string, timeoutMs = 120_000) {
    this.http = axios.create({ baseURL: baseUrl.replace(/\/$/, ''), timeout: timeoutMs });
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    data?: unknown,
  ): Promise<T> {
    try {
      return (await this.http.request<T>({ method, url, data })).data;
    } catch (err) {
      throw plannerError(err);
    }
  }

  health() {
    return this.call<{ flinkVersion: string }>('GET', '/health');
  }

  async openSession(sessionId: string, properties: Record<string, string>, prelude: string) {
    await this.call('POST', '/sessions', { sessionId, properties, prelude });
  }

  async properties(sessionId: string) {
    const body = await this.call<{ properties?: Record<string, string> }>(
      'GET',
      `/sessions/${encodeURIComponent(sessionId)}`,
    );
    return body.properties ?? {};
  }

  async closeSession(sessionId: string) {
    await this.call('DELETE', `/sessions/${encodeURIComponent(sessionId)}`);
  }

  statement(sessionId: string, statement: string, preview?: PreviewTarget) {
    return this.call<PlannerAnswer>(
      'POST',
      `/sessions/${encodeURIComponent(sessionId)}/statements`,
      preview ? { statement, preview } : { statement },
    );
  }

  async complete(sessionId: string, statement: string, position: number) {
    const body = await this.call<{ candidates?: string[] }>(
      'POST',
      `/sessions/${encodeURIComponent(sessionId)}/complete`,
      { statement, position },
    );
    return body.candidates ?? [];
  }
}

/** The planner's `{"error": {message, line, column}}`, or why it could not be reached. */
export function plannerError(err: unknown): GatewayError {
  if (axios.isAxiosError(err)) {
    const status = err.response?.status;
    const body = err.response?.data as
      { error?: { message?: string; line?: number; column?: number } } | undefined;
    if (status !== undefined && body?.error?.message) {
      const { message, line, column } = body.error;
      const where =
        line !== undefined && column !== undefined && !/line \d+, column \d+/.test(message)
          ? ` (line ${line}, column ${column})`
          : '';
      return new GatewayError(
        status === 404 ? 'SESSION_NOT_FOUND' : status >= 500 ? 'PLANNER_FAILED' : 'SQL_INVALID',
        `${message}${where}`,
        {
          cause: err,
          ...(line !== undefined ? { line } : {}),
          ...(column !== undefined ? { column } : {}),
        },
      );
    }
    return new GatewayError(
      'PLANNER_UNAVAILABLE',
      `the SQL planner cannot be reached (${err.message}); is its stack part running?`,
      { cause: err },
    );
  }
  return new GatewayError('PLANNER_FAILED', err instanceof Error ? err.message : String(err), {
    cause: err,
  });
}
