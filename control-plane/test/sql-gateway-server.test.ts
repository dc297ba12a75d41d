/**
 * The control plane as `npm run control-plane` runs it: the SQL gateway on its own port beside the
 * main one, and a graceful shutdown (SIGTERM) that closes the gateway's sessions, cancels their
 * previews' Flink jobs and deletes their topics before the process exits.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { gatewayInstance } from '../src/gateway/plugin.js';
import { PREVIEW_TOPIC_PREFIX } from '../src/gateway/constants.js';
import { flinkUrl, withAdmin } from './kafka-helpers.js';

const SERVER = resolve(import.meta.dirname, '..', 'src', 'server.ts');

describe('control plane server with the SQL gateway', () => {
  it('serves the gateway on its own port and, on SIGTERM, cancels the previews and deletes their topics', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'gateway-server-'));
    const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: '0',
        SQL_GATEWAY_PORT: '0',
        CONTROL_PLANE_STATE: stateDir,
        OPERATOR_TOKEN: 'gateway-server-token',
        RELAY_CHANNELS: '',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const lines: string[] = [];
    const ready = new Promise<{ address: string; sqlGateway: string }>((resolveReady, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        const entry = JSON.parse(line) as { msg?: string; address?: string; sqlGateway?: string };
        if (entry.msg === 'control plane ready')
          resolveReady({ address: entry.address!, sqlGateway: entry.sqlGateway! });
      });
      void exited.then((code) => reject(new Error(`server exited ${code}:\n${lines.join('\n')}`)));
    });
    try {
      const { address, sqlGateway } = await ready;
      expect(sqlGateway).not.toBe(address);
      const json = async (url: string, init?: RequestInit) =>
        (await (await fetch(url, init)).json()) as Record<string, string>;
      expect(await json(`${address}/sql-gateway/v2/info`)).toEqual({
        productName: 'Apache Flink',
        version: '1.12.7',
      });
      const post = (path: string, body: object) =>
        json(`${sqlGateway}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const session = (await post('/v2/sessions', { properties: {} })).sessionHandle!;
      const op = (
        await post(`/v2/sessions/${session}/statements`, {
          statement: 'SELECT path FROM access_log',
        })
      ).operationHandle!;
      let jobId: string | undefined;
      while (!jobId) {
        const page = await json(
          `${sqlGateway}/v2/sessions/${session}/operations/${op}/result/0?rowFormat=JSON`,
        );
        jobId = page.jobID;
        if (!jobId) await new Promise((r) => setTimeout(r, 200));
      }
      const jobState = async () =>
        ((await (await fetch(`${flinkUrl}/jobs/${jobId}`)).json()) as { state: string }).state;
      await expect.poll(jobState, { timeout: 60_000 }).toBe('RUNNING');
      const prefix = `${PREVIEW_TOPIC_PREFIX}${gatewayInstance(resolve(stateDir))}`;
      expect(await topics(prefix)).toHaveLength(1);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // Cleaned before the process exited, not after.
      expect(await jobState()).toBe('CANCELED');
      expect(await topics(prefix)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

function topics(prefix: string): Promise<string[]> {
  return withAdmin(async (admin) => (await admin.listTopics()).filter((t) => t.startsWith(prefix)));
}
