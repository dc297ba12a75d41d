/**
 * A small JSON array file of records, newest last, appended atomically (write then rename) by one
 * writer at a time. A file that cannot be parsed is never overwritten: it is set aside with a
 * timestamp first, so a read error cannot wipe the history it held.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export class JsonLog<T> {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly keep = 500,
  ) {}

  /** Every record, oldest first; none when the file is missing or unreadable. */
  async list(): Promise<T[]> {
    return (await this.read()).records;
  }

  private async read(): Promise<{ records: T[]; corrupt: boolean }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return { records: [], corrupt: false };
    }
    try {
      const value = JSON.parse(text) as unknown;
      return Array.isArray(value)
        ? { records: value as T[], corrupt: false }
        : { records: [], corrupt: true };
    } catch {
      return { records: [], corrupt: true };
    }
  }

  /** Appends one record after every earlier append. */
  add(record: T): Promise<void> {
    const next = this.chain.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      const { records, corrupt } = await this.read();
      if (corrupt) await rename(this.file, `${this.file}.corrupt-${Date.now()}`);
      const all = [...records, record].slice(-this.keep);
      await writeFile(`${this.file}.tmp`, JSON.stringify(all, null, 2));
      await rename(`${this.file}.tmp`, this.file);
    });
    this.chain = next.catch(() => {});
    return next;
  }
}
