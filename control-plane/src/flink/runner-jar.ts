import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlinkClient } from './client.js';

/**
 * Uploads the runner jar once per content: the uploaded file is named after its hash, so a rebuilt
 * runner is uploaded anew and an unchanged one is reused. Returns Flink's jar id.
 */
export async function ensureRunnerJar(client: FlinkClient, jarPath: string): Promise<string> {
  const bytes = await readFile(jarPath);
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const name = `sql-runner-${hash}.jar`;
  const existing = (await client.listJars()).find((jar) => jar.name === name);
  if (existing) return existing.id;
  const dir = await mkdtemp(join(tmpdir(), 'sql-runner-'));
  try {
    const named = join(dir, name);
    await copyFile(jarPath, named);
    return (await client.uploadJar(named)).id;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The runner's program arguments for a script. Base64 keeps any SQL intact through Flink's arg parsing. */
export function runnerArgs(script: string, jobName: string): string[] {
  return ['--script-base64', Buffer.from(script, 'utf8').toString('base64'), '--name', jobName];
}
