import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, type StackConfig } from './config.js';
import { StackError, type Reporter } from './log.js';

/** A set of jars resolved from Maven Central by a pom (the launcher's, or a test's clients). */
export interface ArtifactSet {
  name: string;
  pom: string;
}

/** The launcher's own sets: what the runtime runs on. */
export const ARTIFACT_SETS: readonly (ArtifactSet & { name: 'flink' | 'kafka' })[] = [
  { name: 'flink', pom: join(REPO_ROOT, 'stack', 'maven', 'flink', 'pom.xml') },
  { name: 'kafka', pom: join(REPO_ROOT, 'stack', 'maven', 'kafka', 'pom.xml') },
];

const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.6.1';

/** The cache folder of a set, named after its pom's content so a changed pom resolves anew. */
export function libDir(config: StackConfig, set: ArtifactSet): string {
  const digest = createHash('sha256').update(readFileSync(set.pom)).digest('hex').slice(0, 12);
  return join(config.cache, `${set.name}-${digest}`, 'lib');
}

/** Resolves each of the launcher's sets into the cache once; later calls reuse it. */
export async function resolveArtifacts(
  config: StackConfig,
  report: Reporter,
): Promise<Record<'flink' | 'kafka', string>> {
  const out = {} as Record<'flink' | 'kafka', string>;
  for (const set of ARTIFACT_SETS) out[set.name] = await resolveSet(config, set, report);
  return out;
}

/**
 * Resolves one set into the cache (a folder named after its pom's content, marked complete once
 * every jar is copied) or finds it there. Returns its lib folder.
 */
export async function resolveSet(
  config: StackConfig,
  set: ArtifactSet,
  report: Reporter,
): Promise<string> {
  const dir = libDir(config, set);
  const marker = join(dir, '..', '.complete');
  if (existsSync(marker) && readdirSync(dir).length > 0) {
    report.info(`${set.name} jars: cached in ${dir}`);
    return dir;
  }
  report.step(`resolving ${set.name} jars from Maven Central into ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await runMaven(config, set, dir, report);
  const count = readdirSync(dir).filter((f) => f.endsWith('.jar')).length;
  if (count === 0) {
    throw new StackError(
      'STACK_DOWNLOAD',
      `Maven resolved no ${set.name} jars into ${dir}`,
      set.name,
    );
  }
  writeFileSync(marker, `${new Date().toISOString()} ${count} jars\n`);
  report.info(`${set.name} jars: ${count} resolved`);
  return dir;
}

function runMaven(
  config: StackConfig,
  set: ArtifactSet,
  dir: string,
  report: Reporter,
): Promise<void> {
  const logFile = join(dir, '..', 'maven.log');
  const args = [
    '-B',
    '-f',
    set.pom,
    `${DEPENDENCY_PLUGIN}:copy-dependencies`,
    `-DoutputDirectory=${dir}`,
    '-DincludeScope=runtime',
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(config.mvn, args, {
      cwd: join(dir, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let downloaded = 0;
    let lastReport = 0;
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        lines.push(line);
        if (line.includes('Downloaded from')) {
          downloaded++;
          if (Date.now() - lastReport > 2000) {
            lastReport = Date.now();
            report.info(`${set.name}: ${downloaded} files downloaded so far`);
          }
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'ENOENT'
          ? `Maven (${config.mvn}) is not installed or not on PATH; install it (apt-get install -y maven) or set MVN`
          : err.message;
      reject(new StackError('STACK_MAVEN_MISSING', why, set.name, undefined, { cause: err }));
    });
    child.on('close', (code) => {
      writeFileSync(logFile, lines.join('\n') + '\n');
      if (code === 0) {
        if (downloaded > 0) report.info(`${set.name}: ${downloaded} files downloaded`);
        resolvePromise();
      } else {
        const errors = lines
          .filter((l) => l.includes('[ERROR]'))
          .slice(0, 3)
          .join('\n  ');
        reject(
          new StackError(
            'STACK_DOWNLOAD',
            `resolving ${set.name} jars failed (mvn exit ${code}):\n  ${errors}`,
            set.name,
            logFile,
          ),
        );
      }
    });
  });
}
