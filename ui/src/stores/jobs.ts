/**
 * The operator page's state: the job list, the operator token (asked once, kept for the tab),
 * the action in flight and the last outcome, including Flink's own error text.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ErrorBody, JobSummary } from '@pulse/contracts';
import { ApiError, listJobs, runJobAction, type JobAction } from '../api/jobs.js';

const TOKEN_KEY = 'pulse.operatorToken';

export interface Outcome {
  ok: boolean;
  action: JobAction;
  job: string;
  error?: ErrorBody & { status: number };
  result?: unknown;
}

export const useJobsStore = defineStore('jobs', () => {
  const jobs = ref<JobSummary[]>([]);
  const loading = ref(false);
  const listError = ref<string | null>(null);
  const token = ref<string | null>(globalThis.sessionStorage?.getItem(TOKEN_KEY) ?? null);
  /** Set while an action waits for the operator to type the token. */
  const awaitingToken = ref<{ action: JobAction; job: string } | null>(null);
  const busy = ref<{ action: JobAction; job: string } | null>(null);
  const outcome = ref<Outcome | null>(null);

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      jobs.value = await listJobs();
      listError.value = null;
    } catch (err) {
      listError.value = (err as Error).message;
    } finally {
      loading.value = false;
    }
  }

  function setToken(value: string | null): void {
    token.value = value;
    if (value) globalThis.sessionStorage?.setItem(TOKEN_KEY, value);
    else globalThis.sessionStorage?.removeItem(TOKEN_KEY);
  }

  /** Runs an action; without a token it first asks for one (see `provideToken`). */
  /** Where a deploy starts: '' (the job's latest state, else now), 'state', 'now' or 'earliest'. */
  const startFrom = ref<'' | 'state' | 'now' | 'earliest'>('');

  async function run(action: JobAction, job: string): Promise<void> {
    if (!token.value) {
      awaitingToken.value = { action, job };
      return;
    }
    busy.value = { action, job };
    outcome.value = null;
    try {
      const result = await runJobAction(
        job,
        action,
        token.value,
        action === 'deploy' && startFrom.value ? { start: startFrom.value } : {},
      );
      outcome.value = { ok: true, action, job, result };
    } catch (err) {
      const api =
        err instanceof ApiError ? err : new ApiError(0, { error: 'UNKNOWN', message: String(err) });
      outcome.value = { ok: false, action, job, error: { ...api.body, status: api.status } };
      if (api.status === 401 || api.status === 403) {
        // The token was wrong or revoked: forget it and ask again for this same action.
        setToken(null);
        awaitingToken.value = { action, job };
      }
    } finally {
      busy.value = null;
    }
    await refresh();
  }

  /** The operator typed the token: remember it and carry on with the action that needed it. */
  async function provideToken(value: string): Promise<void> {
    const pending = awaitingToken.value;
    awaitingToken.value = null;
    setToken(value.trim() || null);
    if (pending && token.value) await run(pending.action, pending.job);
  }

  function cancelTokenPrompt(): void {
    awaitingToken.value = null;
  }

  return {
    jobs,
    loading,
    listError,
    token,
    awaitingToken,
    busy,
    outcome,
    startFrom,
    refresh,
    run,
    provideToken,
    cancelTokenPrompt,
    setToken,
  };
});
