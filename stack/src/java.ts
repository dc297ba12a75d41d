import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { StackError } from './log.js';

const run = promisify(execFile);

/**
 * Flink 1.12 predates the module system's strong encapsulation. On JDK 17 it needs these packages
 * opened: Akka 2.5 and Flink's own reflection (closure cleaning, Kryo, memory utilities) reach into
 * java.base. The list follows what later Flink releases ship for Java 17, plus java.lang.ref.
 * IgnoreUnrecognizedVMOptions keeps it harmless on Java 8/11.
 */
export const JDK17_FLAGS: readonly string[] = [
  '-XX:+IgnoreUnrecognizedVMOptions',
  '--add-exports=java.base/sun.net.util=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED',
  ...[
    'java.lang',
    'java.lang.ref',
    'java.lang.reflect',
    'java.io',
    'java.net',
    'java.nio',
    'sun.nio.ch',
    'java.text',
    'java.time',
    'java.util',
    'java.util.concurrent',
    'java.util.concurrent.atomic',
    'java.util.concurrent.locks',
  ].map((pkg) => `--add-opens=java.base/${pkg}=ALL-UNNAMED`),
];

/** Returns the Java feature version (8, 11, 17, ...) or fails with a clear message. */
export async function javaVersion(java: string): Promise<number> {
  let output: string;
  try {
    const { stderr, stdout } = await run(java, ['-version']);
    output = `${stderr}${stdout}`;
  } catch (err) {
    throw new StackError(
      'STACK_JAVA_MISSING',
      `Java (${java}) was not found; install a JDK 11+ (apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME`,
      'java',
      undefined,
      { cause: err },
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match?.[1]) {
    throw new StackError(
      'STACK_JAVA_MISSING',
      `could not read the Java version from: ${output.trim()}`,
      'java',
    );
  }
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}
