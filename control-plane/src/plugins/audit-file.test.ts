import { mkdtempSync, appendFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditFile, parseAuditLines } from './audit-file.js';
import { forViewers } from './audit.js';

const entry = (n: number) => ({
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  who: 'ops@10.0.0.7',
  action: 'deploy',
  target: `job${n}`,
  request: { variables: { ACCESS_TOPIC: 'x' } },
  status: 200,
  result: 'started from /flink/savepoints/sp-1',
});

describe('audit trail file', () => {
  it('skips a line torn by a crash and keeps every whole entry, newest first', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'audit-')), 'audit.jsonl');
    const trail = new AuditFile({ file, maxBytes: 1024 * 1024 });
    await trail.append(entry(1));
    appendFileSync(file, '{"at":"2026-01-01T00:00:02Z","who":"op'); // torn mid-write
    await trail.append(entry(3));
    let torn = 0;
    const reader = new AuditFile({ file, maxBytes: 1024 * 1024, onTorn: (n) => (torn = n) });
    expect((await reader.list(10)).map((e) => e.target)).toEqual(['job3', 'job1']);
    expect(torn).toBe(1);
    expect(parseAuditLines('not json\n[]\n').torn).toBe(2);
  });

  it('stays within its size: rotates once past the limit and still lists across both files', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'audit-')), 'audit.jsonl');
    const trail = new AuditFile({ file, maxBytes: 4096 });
    for (let n = 0; n < 40; n++) await trail.append(entry(n));
    expect(existsSync(`${file}.1`)).toBe(true);
    expect(readFileSync(file).length).toBeLessThanOrEqual(4096);
    expect(readFileSync(`${file}.1`).length).toBeLessThanOrEqual(4096);
    const listed = await trail.list(5);
    expect(listed.map((e) => e.target)).toEqual(['job39', 'job38', 'job37', 'job36', 'job35']);
  });

  it('shows viewers what happened, not bodies, results with paths, or addresses', () => {
    expect(forViewers(entry(1))).toEqual({
      at: entry(1).at,
      who: 'ops',
      action: 'deploy',
      target: 'job1',
      status: 200,
    });
  });
});
