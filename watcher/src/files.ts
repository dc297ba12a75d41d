import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** How much of a file's beginning identifies it beside device and inode. */
export const FINGERPRINT_BYTES = 256;

/**
 * A file is known by device + inode + a hash of its first bytes, so a reused inode (a file deleted
 * and another created) is not mistaken for the old one. The fingerprint covers the first
 * `fpLen` bytes seen; a file that was shorter then is checked on that prefix.
 */
export interface FileIdentity {
  dev: number;
  ino: number;
  fpLen: number;
  fpHash: string;
}

/** The stable key of a file in records and the offsets topic. */
export function fileKey(id: FileIdentity): string {
  return `${id.dev}:${id.ino}:${id.fpHash.slice(0, 12)}`;
}

export async function fingerprint(path: string, length: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    return createHash('sha1').update(buf.subarray(0, bytesRead)).digest('hex');
  } finally {
    await fh.close();
  }
}

/** Identity of the file now at `path`, or undefined if it is gone or empty (nothing to identify yet). */
export async function identify(
  path: string,
): Promise<{ id: FileIdentity; size: number } | undefined> {
  try {
    const s = await stat(path, { bigint: false });
    if (!s.isFile() || s.size === 0) return undefined;
    const fpLen = Math.min(FINGERPRINT_BYTES, s.size);
    return {
      id: { dev: s.dev, ino: s.ino, fpLen, fpHash: await fingerprint(path, fpLen) },
      size: s.size,
    };
  } catch {
    return undefined;
  }
}

/** True when the file at `path` is still the file `known` describes. */
export async function sameFile(path: string, known: FileIdentity): Promise<boolean> {
  try {
    const s = await stat(path);
    if (s.dev !== known.dev || s.ino !== known.ino || s.size < known.fpLen) return false;
    return (await fingerprint(path, known.fpLen)) === known.fpHash;
  } catch {
    return false;
  }
}

function globToRegex(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i);
      if (end < 0) out += '\\[';
      else {
        out += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

export function hasGlob(path: string): boolean {
  return /[*?[]/.test(basename(path));
}

/** True when `path` is the file `pattern` names, or one its glob matches. */
export function matchesPattern(path: string, pattern: string): boolean {
  if (!hasGlob(pattern)) return path === pattern;
  return dirname(path) === dirname(pattern) && globToRegex(basename(pattern)).test(basename(path));
}

/** The files matching a path or a glob (wildcards in the file name only), sorted by name. */
export async function expand(pattern: string): Promise<string[]> {
  if (!hasGlob(pattern)) return [pattern];
  const dir = dirname(pattern);
  const re = globToRegex(basename(pattern));
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && re.test(e.name))
      .map((e) => join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}
