import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SavepointStore } from './savepoints.js';

const record = (n: number) => ({
  job: 'pv_uv',
  jobId: `j${n}`,
  hash: 'h',
  location: `file:///sp/${n}`,
  at: '2026-11-23T00:00:00Z',
  reason: 'stop' as const,
});

describe('savepoint history', () => {
  it('keeps records across writes, newest last', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-'));
    const store = new SavepointStore(dir);
    await Promise.all([store.add(record(1)), store.add(record(2))]);
    expect((await store.latest('pv_uv'))?.location).toBe('file:///sp/2');
  });

  it('is never wiped by a file it cannot read: the old one is set aside whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-'));
    const torn = '[{"job":"pv_uv","location":"file:///sp/0"'; // a crash mid-write elsewhere
    writeFileSync(join(dir, 'savepoints.json'), torn);
    const store = new SavepointStore(dir);
    await store.add(record(1));
    const aside = readdirSync(dir).filter((f) => f.startsWith('savepoints.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe(torn);
    expect((await store.list()).map((r) => r.jobId)).toEqual(['j1']);
  });
});
