import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { useJobsStore } from './jobs.js';

const job = {
  name: 'pv_uv',
  file: 'pv_uv.sql',
  description: '',
  hash: 'abc',
  state: 'NOT_DEPLOYED',
  jobId: null,
  runningHash: null,
  drift: false,
  startTime: null,
  variables: {},
};

type Call = { url: string; method: string; auth: string | undefined };
let calls: Call[];
let answers: Array<{ status: number; body: unknown }>;

beforeEach(() => {
  calls = [];
  answers = [];
  sessionStorage.clear();
  setActivePinia(createPinia());
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    calls.push({
      url,
      method: init.method ?? 'GET',
      auth: (init.headers as Record<string, string>)?.authorization,
    });
    const next =
      url === '/api/jobs'
        ? { status: 200, body: { jobs: [job] } }
        : (answers.shift() ?? { status: 500, body: {} });
    return new Response(JSON.stringify(next.body), {
      status: next.status,
      headers: { 'content-type': 'application/json' },
    });
  });
});
afterEach(() => vi.unstubAllGlobals());

describe('jobs store', () => {
  it('asks for the token once, then sends it with every change', async () => {
    const jobs = useJobsStore();
    await jobs.run('deploy', 'pv_uv');
    expect(jobs.awaitingToken).toEqual({ action: 'deploy', job: 'pv_uv' });
    expect(calls).toEqual([]);

    answers.push({
      status: 200,
      body: { action: 'started', jobId: 'j1', previousJobId: null, hash: 'abc', savepoint: null },
    });
    await jobs.provideToken('s3cret');
    expect(calls[0]).toEqual({
      url: '/api/jobs/pv_uv/deploy',
      method: 'POST',
      auth: 'Bearer s3cret',
    });
    expect(jobs.outcome).toMatchObject({ ok: true, action: 'deploy', job: 'pv_uv' });
    expect(jobs.jobs).toEqual([job]);

    answers.push({ status: 200, body: { cancelled: ['j1'] } });
    await jobs.run('cancel', 'pv_uv');
    expect(jobs.awaitingToken).toBeNull();
    expect(calls.find((c) => c.url.endsWith('/cancel'))?.auth).toBe('Bearer s3cret');
  });

  it("shows Flink's error with statement and position when the SQL is bad", async () => {
    const jobs = useJobsStore();
    jobs.setToken('t');
    answers.push({
      status: 422,
      body: {
        error: 'SQL_INVALID',
        message: "Object 'nope' not found",
        statement: 2,
        line: 14,
        column: 6,
      },
    });
    await jobs.run('validate', 'pv_uv');
    expect(jobs.outcome).toEqual({
      ok: false,
      action: 'validate',
      job: 'pv_uv',
      error: {
        status: 422,
        error: 'SQL_INVALID',
        message: "Object 'nope' not found",
        statement: 2,
        line: 14,
        column: 6,
      },
    });
  });

  it('forgets a rejected token and asks again for the same action', async () => {
    const jobs = useJobsStore();
    jobs.setToken('wrong');
    answers.push({ status: 401, body: { error: 'UNAUTHORIZED', message: 'bad token' } });
    await jobs.run('stop', 'pv_uv');
    expect(jobs.token).toBeNull();
    expect(sessionStorage.getItem('pulse.operatorToken')).toBeNull();
    expect(jobs.awaitingToken).toEqual({ action: 'stop', job: 'pv_uv' });
  });
});
