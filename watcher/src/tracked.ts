import type { FileHandle } from 'node:fs/promises';
import type { LineSourceConfig } from './config.js';
import type { FileIdentity } from './files.js';
import type { LineParser } from './formats/index.js';

/** A file being tailed: its identity, its open handle, and how far it is read and committed. */
export interface Tracked {
  key: string;
  id: FileIdentity;
  source: LineSourceConfig;
  parser: LineParser;
  path: string;
  fh: FileHandle;
  /** Committed position: everything before it is in Kafka. */
  committed: number;
  /** Read position: lines before it are in the open batch. */
  readPos: number;
  size: number;
  /** Still matched by the source's paths; a rotated-away or deleted file is read to its end, then released. */
  matched: boolean;
  /** When a line was last read from it (or it was first tracked). */
  idleSince: number;
}
