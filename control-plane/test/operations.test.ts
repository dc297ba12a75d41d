/**
 * What an operator relies on around the job API, against the real Flink: requests for a foreign
 * host name are refused (DNS rebinding), the audit trail shows viewers what happened but not
 * bodies or addresses, and /metrics reports requests and Flink's job states.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { brokers, flinkUrl } from './kafka-helpers.js';

const TOKEN = 'operations-test-token';
let app: FastifyInstance;

beforeAll(async () => {
  const config = loadConfig({
    KAFKA_BROKERS: brokers,
    FLINK_REST_URL: flinkUrl,
    JOBS_DIR: mkdtempSync(join(tmpdir(), 'ops-jobs-')),
    CONTROL_PLANE_STATE: mkdtempSync(join(tmpdir(), 'ops-state-')),
    OPERATOR_TOKEN: TOKEN,
    LOG_LEVEL: 'warn',
  });
  app = await buildApp({ config, relay: false });
});
afterAll(() => app.close());

describe('operations', () => {
  it('answers its own host names and refuses a rebinding attacker’s', async () => {
    const ok = await app.inject({ url: '/health', headers: { host: '127.0.0.1:8080' } });
    expect(ok.statusCode).toBe(200);
    const refused = await app.inject({ url: '/api/jobs', headers: { host: 'evil.example:8080' } });
    expect(refused.statusCode).toBe(421);
    expect(refused.json()).toMatchObject({ error: 'HOST_NOT_ALLOWED' });
  });

  it('shows viewers the audit trail without bodies, results or addresses; operators see all', async () => {
    const call = await app.inject({
      method: 'POST',
      url: '/api/jobs/no_such_job/deploy',
      headers: { authorization: `Bearer ${TOKEN}`, 'x-operator': 'ana' },
      payload: { variables: { ACCESS_TOPIC: 'secret_topic' } },
    });
    expect(call.statusCode).toBe(404);

    const viewer = await app.inject({ url: '/api/audit' });
    expect(viewer.statusCode).toBe(200);
    const [seen] = viewer.json<{ entries: Record<string, unknown>[] }>().entries;
    expect(seen).toEqual({
      at: expect.any(String),
      who: 'ana',
      action: 'deploy',
      target: 'no_such_job',
      status: 404,
    });
    expect(viewer.body).not.toContain('secret_topic');

    const operator = await app.inject({
      url: '/api/audit',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const [full] = operator.json<{ entries: Record<string, unknown>[] }>().entries;
    expect(full).toMatchObject({
      who: expect.stringMatching(/^ana@/),
      request: { variables: { ACCESS_TOPIC: 'secret_topic' } },
    });
  });

  it('reports requests and Flink’s reachability in Prometheus text', async () => {
    await app.inject({ url: '/api/jobs' });
    const res = await app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(
      /pulse_http_requests_total\{method="GET",route="\/api\/jobs",status="200"\} \d+/,
    );
    expect(res.body).toContain('pulse_flink_up 1');
  });
});
