import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, type StackConfig } from './config.js';
import { StackError, type Reporter } from './log.js';

/** A set of jars resolved from Maven Central by one of the launcher's poms. */
export interface ArtifactSet {
  name: 'flink' | 'kafka';
  pom: string;
}

export const ARTIFACT_SETS: readonly ArtifactSet[] = [
  { name: 'flink', pom: join(REPO_ROOT, 'stack', 'maven', 'flink', 'pom.xml') },
  { name: 'kafka', pom: join(REPO_ROOT, 'stack', 'maven', 'kafka', 'pom.xml') },
];

const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.6.1';

/** The cache folder of a set, named after its pom's content so a changed pom resolves anew. */
export function libDir(config: StackConfig, set: ArtifactSet): string {
  const digest = createHash('sha256').update(readFileSync(set.pom)).digest('hex').slice(0, 12);
  return join(config.cache, `${set.name}-${digest}`, 'lib');
}

/** Resolves each set into the cache once; later calls reuse it. Returns the lib folders. */
export async function resolveArtifacts(
  config: StackConfig,
  report: Reporter,
): Promise<Record<ArtifactSet['name'], string>> {
  const out = {} as Record<ArtifactSet['name'], string>;
  for (const set of ARTIFACT_SETS) {
    const dir = libDir(config, set);
    const marker = join(dir, '..', '.complete');
    if (existsSync(marker) && readdirSync(dir).length > 0) {
      report.info(`${set.name} jars: cached in ${dir}`);
    } else {
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
    }
    out[set.name] = dir;
  }
  return out;
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
