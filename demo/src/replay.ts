import { createReadStream } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { clfTime } from './time.js';

const CLF_TIME = /\[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\]/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The instant and offset of a combined/common log line, or undefined. */
export function clfInstant(line: string): { ms: number; offsetMinutes: number } | undefined {
  const m = CLF_TIME.exec(line);
  if (!m) return undefined;
  const [, dd, mon, yyyy, hh, mi, ss, sign, oh, om] = m;
  const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const local = Date.UTC(
    Number(yyyy),
    MONTHS.indexOf(mon!),
    Number(dd),
    Number(hh),
    Number(mi),
    Number(ss),
  );
  return { ms: local - offsetMinutes * 60_000, offsetMinutes };
}

export interface ReplayOptions {
  from: string;
  to: string;
  /** 1 = real time, 10 = ten times faster. */
  speed: number;
  /** Rewrite each line's time to now, keeping the gaps between lines; default true. */
  restamp?: boolean;
  signal?: AbortSignal;
}

/** Appends an existing access log to `to`, paced by its own timestamps. Returns the line count. */
export async function replay(options: ReplayOptions): Promise<number> {
  const lines = createInterface({ input: createReadStream(options.from), crlfDelay: Infinity });
  const restamp = options.restamp ?? true;
  let firstMs: number | undefined;
  const startedAt = Date.now();
  let count = 0;
  let batch: string[] = [];
  for await (const line of lines) {
    if (options.signal?.aborted) break;
    const at = clfInstant(line);
    let out = line;
    if (at) {
      firstMs ??= at.ms;
      const due = startedAt + (at.ms - firstMs) / options.speed;
      const wait = due - Date.now();
      if (wait > 20) {
        if (batch.length) await appendFile(options.to, batch.join('\n') + '\n');
        batch = [];
        await new Promise((r) => setTimeout(r, wait));
      }
      if (restamp)
        out = line.replace(CLF_TIME, `[${clfTime(Math.max(due, Date.now()), at.offsetMinutes)}]`);
    }
    batch.push(out);
    count++;
  }
  if (batch.length) await appendFile(options.to, batch.join('\n') + '\n');
  return count;
}
