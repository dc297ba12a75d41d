/**
 * What the end-to-end test starts: a copy of the analysts' jobs pointed at fresh topics, the
 * watcher on temp log files, and the control plane (job API, relay, built UI) on a free port.
 * Everything runs as real processes against the real Kafka and Flink.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import { Kafka, logLevel } from 'kafkajs';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const FLINK = process.env.FLINK_REST_URL ?? 'http://127.0.0.1:8081';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/**
 * Installs Debian's Chromium when it is missing (never a tool's own browser download), and a CJK
 * font when none is present, so the Chinese screenshots show characters rather than boxes.
 */
export function ensureChromium(): void {
  const packages: string[] = [];
  if (!existsSync(CHROMIUM)) packages.push('chromium');
  if (!hasCjkFont()) packages.push('fonts-wqy-zenhei');
  if (packages.length === 0) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['install', '-y', ...packages], { stdio: 'inherit', env });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', ...packages], { stdio: 'inherit', env });
  }
}

function hasCjkFont(): boolean {
  try {
    return execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    // No fontconfig tool: let Chromium's own fallback do; the numbers under test are not CJK.
    return true;
  }
}

/** Builds the UI the control plane serves, so the test looks at the current code. */
export function buildUi(): string {
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
    cwd: join(REPO, 'ui'),
    stdio: 'inherit',
  });
  return join(REPO, 'ui', 'dist');
}

/** Copies jobs/sql with the `-- var` defaults replaced, so a deploy without variables uses them. */
export function jobsCopy(dir: string, overrides: Record<string, string>): string {
  const target = join(dir, 'jobs');
  cpSync(join(REPO, 'jobs', 'sql'), target, { recursive: true });
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) =>
      statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)],
    );
  for (const file of walk(target).filter((f) => f.endsWith('.sql'))) {
    const text = readFileSync(file, 'utf8').replace(
      /^(--\s*var\s+([A-Z][A-Z0-9_]*)\s*=\s*).*$/gm,
      (line, head: string, name: string) =>
        name in overrides ? `${head}${overrides[name]}` : line,
    );
    writeFileSync(file, text);
  }
  return target;
}

export interface Proc {
  child: ChildProcess;
  output: () => string;
}

/** Starts `node --import tsx <script>`, keeping its output for the failure message. */
export function startTs(script: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, script), ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => out };
}

export async function stop(proc: Proc | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null) return;
  const exited = new Promise((r) => proc.child.once('exit', r));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** Polls until `check` returns a value, or fails with `what` and the last error. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 1000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out: ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

/** A test's Kafka client, named after the test. */
export function kafkaFor(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: BROKERS.split(','), logLevel: logLevel.NOTHING });
}

/** Deletes the topics a test made (those `mine` picks); a topic already gone is no error. */
export async function deleteTopics(clientId: string, mine: (topic: string) => boolean) {
  const admin = kafkaFor(clientId).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter(mine);
  await admin.deleteTopics({ topics }).catch(() => {});
  await admin.disconnect();
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-e2e-'));
  mkdirSync(join(dir, 'logs'));
  return dir;
}

export const ARTIFACTS = join(REPO, 'test-artifacts');

/**
 * Starts the control plane (job API, relay, SQL gateway, the built UI) on a free port with
 * `env` on top of the shared settings, and waits for it to answer.
 */
export async function startControlPlane(
  env: Record<string, string>,
): Promise<{ proc: Proc; baseUrl: string }> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const proc = startTs('control-plane/src/server.ts', [], {
    PORT: String(port),
    HOST: '127.0.0.1',
    KAFKA_BROKERS: BROKERS,
    FLINK_REST_URL: FLINK,
    LOG_LEVEL: 'warn',
    // Its SQL gateway port too is a free one: 8083 may be an `npm start`'s, or another test's.
    SQL_GATEWAY_PORT: '0',
    ...env,
  });
  await eventually(
    'the control plane to answer',
    async () => ((await fetch(`${baseUrl}/health`)).ok ? true : undefined),
    60_000,
    500,
  ).catch(async (err: Error) => {
    await stop(proc);
    throw new Error(`${err.message}\n${proc.output()}`);
  });
  return { proc, baseUrl };
}

/** Debian's Chromium, headless, with a fresh profile under `dir`. */
export function launchBrowser(
  dir: string,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(dir, 'chromium'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 1400 },
    locale: 'en-GB',
    ...options,
  });
}
