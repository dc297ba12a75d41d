/** Typed calls to the control plane's job API. Errors come back as ApiError with the server's body. */
import type { DeployResult, ErrorBody, JobDiagnostics, JobSummary } from '@pulse/contracts';

export type JobAction = 'validate' | 'deploy' | 'stop' | 'cancel';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
    this.name = 'ApiError';
  }
}

/** A JSON call to the control plane; a failure becomes ApiError with the server's body. */
export async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      headers: { accept: 'application/json', ...init.headers },
    });
  } catch (cause) {
    throw new ApiError(0, {
      error: 'NETWORK',
      message: `control plane unreachable: ${(cause as Error).message}`,
    });
  }
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const err = (body ?? {}) as Partial<ErrorBody>;
    throw new ApiError(response.status, {
      ...err,
      error: err.error ?? `HTTP_${response.status}`,
      message: err.message ?? (text || response.statusText),
    });
  }
  return body as T;
}

/** GET /api/jobs: every job file with its state in Flink and whether the file drifted. */
export async function listJobs(): Promise<JobSummary[]> {
  return (await request<{ jobs: JobSummary[] }>('/api/jobs')).jobs;
}

export type ActionResult = DeployResult | Record<string, unknown>;

/** POST /api/jobs/:name/:action with the operator token. */
export function runJobAction(
  name: string,
  action: JobAction,
  token: string,
  body: Record<string, unknown> = {},
): Promise<ActionResult> {
  return request<ActionResult>(`/api/jobs/${encodeURIComponent(name)}/${action}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** GET /api/jobs/:name/diagnostics; with the token, the script and exception traces too. */
export function jobDiagnostics(name: string, token: string | null): Promise<JobDiagnostics> {
  return request<JobDiagnostics>(`/api/jobs/${encodeURIComponent(name)}/diagnostics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}
