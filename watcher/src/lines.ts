/** Where lines are read from: a FileHandle, or a descriptor wrapped the same way. */
export interface LineReader {
  read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
}

/** One complete line read from a file, with the byte offset where it starts. */
export interface RawLine {
  offset: number;
  bytes: Buffer;
  /** The line was longer than the limit: `bytes` holds its first `limit` bytes. */
  oversize: boolean;
}

export interface ReadResult {
  lines: RawLine[];
  /** Where the next unread line starts: a partial last line is left for later. */
  next: number;
}

const CHUNK = 256 * 1024;

/**
 * Reads complete lines from `from` on, stopping after about `maxBytes` or `maxLines`. A line longer than `limit`
 * is returned cut at the limit and flagged, once its end has arrived; a last line without its
 * newline is not returned until the newline lands.
 */
export async function readLines(
  fh: LineReader,
  from: number,
  size: number,
  maxBytes: number,
  limit: number,
  maxLines = Infinity,
): Promise<ReadResult> {
  const lines: RawLine[] = [];
  let pos = from;
  let carry: Buffer = Buffer.alloc(0);
  let carryStart = from;
  let skipping = false; // inside an oversize line whose first `limit` bytes are already kept
  let consumed = 0;
  while (pos < size && consumed < maxBytes && lines.length < maxLines) {
    // Read no further ahead than the budget needs: what is read past it would be read again.
    const length = Math.min(CHUNK, size - pos, Math.max(16 * 1024, maxBytes - consumed));
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, pos);
    if (bytesRead === 0) break;
    let data = buf.subarray(0, bytesRead);
    let dataStart = pos;
    pos += bytesRead;
    for (;;) {
      const nl = data.indexOf(0x0a);
      if (nl < 0) {
        if (!skipping) {
          carry = carry.length ? Buffer.concat([carry, data]) : Buffer.from(data);
          if (carry.length > limit) {
            carry = carry.subarray(0, limit);
            skipping = true;
          }
        }
        break;
      }
      const piece = data.subarray(0, nl);
      if (skipping) {
        lines.push({ offset: carryStart, bytes: carry, oversize: true });
      } else {
        // Lines share the chunk's memory (each chunk is a fresh buffer): no copy per line.
        const whole = carry.length ? Buffer.concat([carry, piece]) : piece;
        const oversize = whole.length > limit;
        lines.push({
          offset: carryStart,
          bytes: oversize ? whole.subarray(0, limit) : whole,
          oversize,
        });
      }
      consumed += dataStart + nl + 1 - carryStart;
      carry = Buffer.alloc(0);
      skipping = false;
      carryStart = dataStart + nl + 1;
      data = data.subarray(nl + 1);
      dataStart = carryStart;
      if (consumed >= maxBytes || lines.length >= maxLines) break;
    }
  }
  return { lines, next: carryStart };
}
