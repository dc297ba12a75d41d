/**
 * The official SQL clients the gateway's tests run: Flink's SQL Client 1.18.1, and Flink's JDBC
 * driver 1.20.0 with sqlline 1.12.0. Resolved from Maven Central by their own poms (test/maven/)
 * into the stack's jar cache the way the launcher resolves Flink (a folder named after the pom's
 * content, marked complete once copied), so a fresh clone needs no step and later runs reuse it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@pulse/stack';

const MAVEN = join(dirname(fileURLToPath(import.meta.url)), 'maven');
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.6.1';

export type ClientSet = 'sql-client' | 'sql-jdbc';

/** The folder of a client's jars, resolved on first use. */
export function clientJars(set: ClientSet): string {
  const stack = loadConfig();
  const pom = join(MAVEN, set, 'pom.xml');
  const digest = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 12);
  const lib = join(stack.cache, `${set}-${digest}`, 'lib');
  const marker = join(lib, '..', '.complete');
  if (existsSync(marker)) return lib;
  rmSync(lib, { recursive: true, force: true });
  mkdirSync(lib, { recursive: true });
  const mvn = spawnSync(
    stack.mvn,
    [
      '-B',
      '-q',
      '-f',
      pom,
      `${DEPENDENCY_PLUGIN}:copy-dependencies`,
      `-DoutputDirectory=${lib}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8', timeout: 600_000 },
  );
  const jars = readdirSync(lib).filter((f) => f.endsWith('.jar')).length;
  if (mvn.status !== 0 || jars === 0)
    throw new Error(`resolving ${set} from Maven Central failed:\n${mvn.stdout}${mvn.stderr}`);
  writeFileSync(marker, `${new Date().toISOString()} ${jars} jars\n`);
  return lib;
}

/** Runs a Java main class on a client's jars; resolves with everything it printed. */
export function runClient(
  set: ClientSet,
  mainClass: string,
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ code: number | null; output: string }> {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  return new Promise((resolve) => {
    const child = spawn(java, ['-cp', `${clientJars(set)}/*`, mainClass, ...args], {
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
