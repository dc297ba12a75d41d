/**
 * The audit trail on disk: one JSON line per mutating call, appended in order, bounded in size
 * (the current file is rotated to `<file>.1` past the limit, so two files at most), and read back
 * skipping lines a crash tore in half instead of failing the whole listing.
 */
import { appendFile, readFile, rename, stat } from 'node:fs/promises';
import type { AuditEntry } from '@pulse/contracts';

export interface AuditFileOptions {
  file: string;
  maxBytes: number;
  /** Told how many torn lines a read skipped. */
  onTorn?: (count: number) => void;
}

/** Parses audit lines, newest last; lines that are not whole JSON objects are counted and skipped. */
export function parseAuditLines(text: string): { entries: AuditEntry[]; torn: number } {
  const entries: AuditEntry[] = [];
  let torn = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value === 'object' && value !== null && 'action' in value)
        entries.push(value as AuditEntry);
      else torn++;
    } catch {
      torn++;
    }
  }
  return { entries, torn };
}

export class AuditFile {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: AuditFileOptions) {}

  /** Appends one entry after every earlier one, rotating first when the file is full. */
  append(entry: AuditEntry): Promise<void> {
    const { file, maxBytes } = this.options;
    this.chain = this.chain
      .catch(() => {})
      .then(async () => {
        const size = await stat(file).then(
          (s) => s.size,
          () => 0,
        );
        if (size > 0 && size + 1024 > maxBytes) await rename(file, `${file}.1`);
        // A torn last line (a crash mid-write) must not glue itself to the next entry.
        await appendFile(file, `\n${JSON.stringify(entry)}\n`);
      });
    return this.chain;
  }

  /** The newest `limit` entries, newest first. */
  async list(limit: number): Promise<AuditEntry[]> {
    await this.chain.catch(() => {});
    const read = (path: string) => readFile(path, 'utf8').catch(() => '');
    const current = parseAuditLines(await read(this.options.file));
    let { entries, torn } = current;
    if (entries.length < limit) {
      const older = parseAuditLines(await read(`${this.options.file}.1`));
      entries = [...older.entries, ...entries];
      torn += older.torn;
    }
    if (torn > 0) this.options.onTorn?.(torn);
    return entries.slice(-limit).reverse();
  }
}
