/**
 * Records packed for the trip from the parsing thread to the producer: keys and values each as
 * one UTF-8 buffer with per-record byte lengths. One encoding and one allocation per list instead
 * of one per record, and the buffers move between threads without a copy.
 */
export interface PackedStrings {
  bytes: Buffer;
  /** Byte length of each entry; -1 for null. */
  lengths: Int32Array;
}

/**
 * Keys stay strings (librdkafka copies them from a string as cheaply); values are packed. A null
 * key and a partition are for heartbeats, which go to every partition of a topic by number.
 */
export interface PackedRecords {
  count: number;
  keys: (string | null)[];
  values: PackedStrings;
  /** The partition of each record; absent: the key's partition (Java's murmur2). */
  partitions?: number[];
}

export function packStrings(list: readonly (string | null)[]): PackedStrings {
  const bytes = Buffer.from(list.join(''));
  const lengths = new Int32Array(list.length);
  let chars = 0;
  for (const s of list) chars += s?.length ?? 0;
  // All ASCII (the usual log line): an entry's bytes are as many as its characters.
  const ascii = bytes.length === chars;
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    lengths[i] = s === null || s === undefined ? -1 : ascii ? s.length : Buffer.byteLength(s);
  }
  return { bytes, lengths };
}

export function packRecords(
  keys: readonly (string | null)[],
  values: readonly (string | null)[],
  partitions?: readonly number[],
): PackedRecords {
  const packed: PackedRecords = {
    count: keys.length,
    keys: keys.slice(),
    values: packStrings(values),
  };
  if (partitions) packed.partitions = partitions.slice();
  return packed;
}

/** Calls `each` with every entry's bytes (a view, not a copy), or null. */
export function forEachPacked(
  p: PackedStrings,
  each: (entry: Buffer | null, i: number) => void,
): void {
  let at = 0;
  for (let i = 0; i < p.lengths.length; i++) {
    const len = p.lengths[i]!;
    if (len < 0) each(null, i);
    else {
      each(p.bytes.subarray(at, at + len), i);
      at += len;
    }
  }
}

/** The entries as strings again (the kafkajs producer and tests want them so). */
export function unpackStrings(p: PackedStrings): (string | null)[] {
  const out: (string | null)[] = [];
  forEachPacked(p, (entry) => out.push(entry === null ? null : entry.toString('utf8')));
  return out;
}
