import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pendingMigrations, readMigrations } from './migrations.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

describe('migration files', () => {
  it('are read in numeric order', () => {
    const dir = folder({ '10_c.sql': 'C', '2_b.sql': 'B', '0001_a.sql': 'A' });
    expect(readMigrations(dir).map((m) => [m.version, m.name])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [10, 'c'],
    ]);
  });

  it('refuses a misnamed file and a number used twice', () => {
    expect(() => readMigrations(folder({ '0001_a.sql': 'A', 'notes.txt': '' }))).toThrow(
      /migration files are named NNNN_lower_case_name.sql/,
    );
    expect(() => readMigrations(folder({ '0001_a.sql': 'A', '1_b.sql': 'B' }))).toThrow(
      /two migrations share number 1: a and b/,
    );
  });

  it("this package's own migrations read cleanly, starting at 1", () => {
    const own = readMigrations();
    expect(own[0]).toMatchObject({ version: 1, name: 'history' });
  });
});

describe('pending migrations', () => {
  const all = readMigrations(folder({ '0001_a.sql': 'A', '0002_b.sql': 'B', '0003_c.sql': 'C' }));
  const applied = (n: number) =>
    all.slice(0, n).map(({ version, name, checksum }) => ({ version, name, checksum }));

  it('are those the database has not applied yet, in order', () => {
    expect(pendingMigrations(all, applied(1)).map((m) => m.name)).toEqual(['b', 'c']);
    expect(pendingMigrations(all, applied(3))).toEqual([]);
  });

  it('refuse to go on when an applied migration was edited or is missing', () => {
    const edited = applied(2).map((a) => (a.version === 2 ? { ...a, checksum: 'other' } : a));
    expect(() => pendingMigrations(all, edited)).toThrow(
      /migration 2 \(b\) was edited after it was applied/,
    );
    expect(() => pendingMigrations(all.slice(0, 1), applied(2))).toThrow(
      /the database has migration 2 \(b\) but no file for it exists/,
    );
  });
});
