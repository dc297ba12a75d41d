import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SAVEPOINTS_FILE } from '../constants.js';

export interface SavepointRecord {
  job: string;
  jobId: string;
  hash: string;
  location: string;
  at: string;
  reason: 'stop' | 'upgrade';
}

/** The savepoints this control plane took, newest last, kept in a small JSON file. */
export class SavepointStore {
  private readonly file: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly dir: string) {
    this.file = join(dir, SAVEPOINTS_FILE);
  }

  async list(job?: string): Promise<SavepointRecord[]> {
    try {
      const all = JSON.parse(await readFile(this.file, 'utf8')) as SavepointRecord[];
      return job ? all.filter((r) => r.job === job) : all;
    } catch {
      return [];
    }
  }

  async latest(job: string): Promise<SavepointRecord | undefined> {
    return (await this.list(job)).at(-1);
  }

  /** Appends atomically (write then rename), one writer at a time. */
  add(record: SavepointRecord): Promise<void> {
    const next = this.chain.then(async () => {
      await mkdir(this.dir, { recursive: true });
      const all = [...(await this.list()), record].slice(-500);
      await writeFile(`${this.file}.tmp`, JSON.stringify(all, null, 2));
      await rename(`${this.file}.tmp`, this.file);
    });
    this.chain = next.catch(() => {});
    return next;
  }
}
