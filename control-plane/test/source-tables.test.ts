/**
 * The shared source tables (jobs/sql/tables) on the real planner: settings an operator may
 * choose compile, e.g. watermark delays of 100 s and more (a plain INTERVAL 'n' SECOND has a
 * leading precision of 2 digits, which Flink refuses at 100).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { REPO_ROOT } from '@pulse/stack';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { brokers, flinkUrl } from './kafka-helpers.js';

const TOKEN = 'test-operator-token-sources';

describe('source tables', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await buildApp({
      config: {
        ...loadConfig({
          ...process.env,
          KAFKA_BROKERS: brokers,
          FLINK_REST_URL: flinkUrl,
          JOBS_DIR: join(REPO_ROOT, 'jobs', 'sql'),
          CONTROL_PLANE_STATE: mkdtempSync(join(tmpdir(), 'sources-state-')),
        }),
        operatorToken: TOKEN,
        logLevel: 'warn',
      },
      relay: false,
    });
  });

  afterAll(() => app.close());

  const validate = (job: string, variables: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url: `/api/jobs/${job}/validate`,
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { variables },
    });

  // The views over the source tables list their columns and leave heartbeats out: every shipped
  // job must still compile on them.
  it.each(['pv_uv', 'attendance', 'web_analytics'])(
    '%s compiles on the access_log and wifi_log views',
    async (job) => {
      const res = await validate(job, {});
      expect(res.statusCode, res.body).toBe(200);
    },
  );

  it.each([
    ['pv_uv', '120'],
    ['pv_uv', '3600'],
    ['attendance', '120'],
  ])('%s compiles with a watermark %s s behind event time', async (job, delay) => {
    const res = await validate(job, { WATERMARK_DELAY: delay });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('compiles with another idle-source timeout, and none', async () => {
    for (const timeout of ['5 s', '0 ms']) {
      const res = await validate('pv_uv', { SOURCE_IDLE_TIMEOUT: timeout });
      expect(res.statusCode, res.body).toBe(200);
    }
  });
});
