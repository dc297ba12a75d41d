/**
 * The official SQL clients the gateway's tests run: Flink's SQL Client 1.18.1, and Flink's JDBC
 * driver 1.20.0 with sqlline 1.12.0. Resolved from Maven Central by their own poms (test/maven/)
 * into the stack's jar cache by the launcher's own resolver (as it resolves Flink), so a fresh
 * clone needs no step and later runs reuse it.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, resolveSet, silentReporter } from '@pulse/stack';

const MAVEN = join(dirname(fileURLToPath(import.meta.url)), 'maven');

export type ClientSet = 'sql-client' | 'sql-jdbc';

/** The folder of a client's jars, resolved on first use by the launcher's own resolver. */
export function clientJars(set: ClientSet): Promise<string> {
  return resolveSet(loadConfig(), { name: set, pom: join(MAVEN, set, 'pom.xml') }, silentReporter);
}

/** Runs a Java main class on a client's jars; resolves with everything it printed. */
export async function runClient(
  set: ClientSet,
  mainClass: string,
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ code: number | null; output: string }> {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const lib = await clientJars(set);
  return new Promise((resolve) => {
    const child = spawn(java, ['-cp', `${lib}/*`, mainClass, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
