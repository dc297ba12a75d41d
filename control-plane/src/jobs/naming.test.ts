import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobOverview } from '../flink/index.js';
import { activeCopiesOf, declaredName, flinkJobName, parseFlinkName } from './naming.js';

describe('job naming', () => {
  it('round-trips the Flink job name, and reads foreign names as hashless', () => {
    const name = flinkJobName({ name: 'pv_uv', hash: 'abc123' });
    expect(name).toBe('pv_uv@abc123');
    expect(parseFlinkName(name)).toEqual({ job: 'pv_uv', hash: 'abc123' });
    expect(parseFlinkName('someone else’s job')).toEqual({ job: 'someone else’s job', hash: null });
  });

  it('lists the live copies of a job, newest first', () => {
    const jobs = [
      { jid: 'a', name: 'pv_uv@1', state: 'CANCELED', 'start-time': 3 },
      { jid: 'b', name: 'pv_uv@2', state: 'RUNNING', 'start-time': 2 },
      { jid: 'c', name: 'pv_uv@3', state: 'RESTARTING', 'start-time': 4 },
      { jid: 'd', name: 'attendance@1', state: 'RUNNING', 'start-time': 5 },
    ] as JobOverview[];
    expect(activeCopiesOf(jobs, 'pv_uv').map((j) => j.jid)).toEqual(['c', 'b']);
  });

  it('reads the declared name from the header alone, and falls back to the file name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jobs-'));
    writeFileSync(
      join(dir, 'web.sql'),
      '-- name: web_analytics\n-- #include tables/missing.sql\nSELECT broken FROM;\n',
    );
    expect(await declaredName(dir, 'web')).toBe('web_analytics');
    expect(await declaredName(dir, 'deleted')).toBe('deleted');
    await expect(declaredName(dir, '../etc/passwd')).rejects.toMatchObject({
      code: 'JOB_NAME_INVALID',
    });
  });
});
