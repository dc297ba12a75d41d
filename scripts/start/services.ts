/**
 * The services npm start runs as child processes (control plane, watcher): started in their own
 * process group (Ctrl-C reaches only npm start, which stops them in order), recorded in the runtime
 * folder so a run that died without its Ctrl-C handler can be cleaned up by the next one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { pidAlive, sleep } from '@pulse/kit';
import type { PartName, Reporter } from '@pulse/stack';

interface Recorded {
  pids: number[];
  parts: PartName[];
}

/** The child processes and runtime parts one npm start owns. */
export class Services {
  /** Runtime parts this run is to stop at the end (started by it, or adopted from a dead run). */
  readonly parts: PartName[] = [];
  private readonly pids: number[] = [];
  private readonly file: string;
  /** In each service's environment, so a later run recognises the services of this folder. */
  private readonly marker: string;
  stopping = false;

  constructor(
    private readonly home: string,
    private readonly repoRoot: string,
    private readonly report: Reporter,
  ) {
    this.file = join(home, 'run', 'services.json');
    this.marker = `PULSE_START_HOME=${home}`;
  }

  /** Notes runtime parts as this run's to stop. */
  own(parts: PartName[]): void {
    this.parts.push(...parts.filter((p) => !this.parts.includes(p)));
    this.record();
  }

  /**
   * Stops services left behind by a run that died (kill -9, a crash): they still hold their ports.
   * Only processes carrying this folder's marker are touched; its runtime parts become ours.
   */
  async stopLeftovers(): Promise<void> {
    if (!existsSync(this.file)) return;
    let left: Recorded = { pids: [], parts: [] };
    try {
      left = { ...left, ...(JSON.parse(readFileSync(this.file, 'utf8')) as Partial<Recorded>) };
    } catch {
      // unreadable: nothing to adopt
    }
    const ours = left.pids.filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(this.marker);
      } catch {
        return false; // gone already
      }
    });
    for (const pid of ours) process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (ours.some(pidAlive) && Date.now() < deadline) await sleep(200);
    for (const pid of ours.filter(pidAlive)) process.kill(pid, 'SIGKILL');
    if (ours.length)
      this.report.info(
        `stopped ${ours.length} service(s) left by an earlier run that did not stop cleanly`,
      );
    this.own(left.parts);
    rmSync(this.file, { force: true });
  }

  /** Starts a part as its own process: TypeScript through tsx, or a bundled .mjs as it is. */
  start(
    name: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    logDir: string,
    onExit?: (code: number | null, signal: string | null) => void,
  ): ChildProcess {
    const logFile = join(logDir, `${name}.log`);
    const log = openSync(logFile, 'a');
    // The watcher's bundle runs with a larger young generation: its parsing makes many short-lived strings.
    const node = args[0]!.endsWith('.mjs')
      ? ['--enable-source-maps', '--max-semi-space-size=64']
      : ['--import', 'tsx'];
    const child = spawn(process.execPath, [...node, ...args], {
      cwd: this.repoRoot,
      env: { ...process.env, ...env, PULSE_START_HOME: this.home },
      stdio: ['ignore', log, log],
      detached: true,
    });
    closeSync(log);
    if (child.pid) {
      this.pids.push(child.pid);
      this.record();
    }
    child.on('exit', (code, signal) => {
      if (this.stopping) return;
      this.report.warn(`${name} exited (${signal ?? `code ${code}`}); see ${logFile}`);
      onExit?.(code, signal);
    });
    return child;
  }

  /** SIGTERM, SIGKILL after 20 s; resolves once it is gone. */
  async stop(child: ChildProcess | undefined, name: string): Promise<void> {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
    this.report.info(`${name} stopped`);
  }

  /** Forgets the record once everything is stopped. */
  clear(): void {
    rmSync(this.file, { force: true });
  }

  private record(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify({ pids: this.pids, parts: this.parts }));
  }
}
