/**
 * `npm test`: every test of the project against the real stack. Brings the stack up when it is not
 * running (and stops what it started at the end), runs the SQL runner's JUnit tests and every
 * workspace's vitest suite through turbo, and ends with one line: "N passed, N failed".
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  consoleReporter,
  down,
  loadConfig,
  prepareTestDatabase,
  REPO_ROOT,
  silentReporter,
  up,
} from '@pulse/stack';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

// eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** Runs a command, echoing its output, and returns the output for counting. */
function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (target: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString('utf8');
      target.write(chunk);
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('error', (err) => {
      output += `\n${err.message}\n`;
      resolve({ code: 127, output });
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Sums vitest's "Tests  X failed | Y passed | Z skipped (N)" lines. */
export function countVitest(output: string): Counts {
  const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
  for (const line of stripAnsi(output).split('\n')) {
    const m = /^\S*\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line.replace(/^.*?:test:\s*/, ''));
    if (!m?.[1]) continue;
    for (const part of m[1].split('|')) {
      const [n, word] = part.trim().split(/\s+/);
      if (word === 'passed') counts.passed += Number(n);
      else if (word === 'failed') counts.failed += Number(n);
      else if (word === 'skipped' || word === 'todo') counts.skipped += Number(n);
    }
  }
  return counts;
}

/** Sums Maven Surefire's final "Tests run: X, Failures: Y, Errors: Z, Skipped: W" line. */
export function countSurefire(output: string): Counts {
  const lines = stripAnsi(output)
    .split('\n')
    .filter((l) => /Tests run: \d+, Failures: \d+, Errors: \d+, Skipped: \d+$/.test(l.trim()));
  const last = lines.at(-1);
  if (!last) return { passed: 0, failed: 0, skipped: 0 };
  const [run, failures, errors, skipped] = (last.match(/\d+/g) ?? []).map(Number) as [
    number,
    number,
    number,
    number,
  ];
  return { passed: run - failures - errors - skipped, failed: failures + errors, skipped };
}

async function main(): Promise<number> {
  const report = consoleReporter('test');
  const config = loadConfig();
  report.step('bringing the local stack up for the integration tests');
  const stack = await up(config, report);
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  let broken = false;
  try {
    report.step('SQL runner: JUnit tests');
    const mvn = await run(config.mvn, ['-B', '-f', join('jobs', 'runner', 'pom.xml'), 'test']);
    const runner = countSurefire(mvn.output);
    if (mvn.code !== 0 && runner.failed === 0) broken = true;
    total.passed += runner.passed;
    total.failed += runner.failed;

    report.step('workspaces: typecheck');
    const typecheck = await run('npm', ['run', 'typecheck']);
    if (typecheck.code !== 0) {
      report.warn('typecheck failed');
      total.failed += 1;
    }

    report.step('docs: the README configuration tables match the schemas');
    const docs = await run('npx', ['tsx', join('scripts', 'config-docs.ts'), '--check']);
    if (docs.code === 0) total.passed += 1;
    else total.failed += 1;

    report.step('workspaces: vitest (unit and integration, one workspace at a time)');
    const env = {
      ...process.env,
      STACK_EXTERNAL: '1',
      KAFKA_BROKERS: stack.endpoints.kafkaBrokers,
      FLINK_REST_URL: stack.endpoints.flinkRestUrl,
      PLANNER_URL: stack.endpoints.plannerUrl,
      // Jobs the tests deploy keep their history in pulse_test, not in the developer's pulse.
      DATABASE_URL: await prepareTestDatabase(config),
      FORCE_COLOR: '0',
    };
    const vitest = await run(
      'npx',
      [
        'turbo',
        'run',
        'test',
        // Turbo 2 hands a task only the variables it was told of; the tests need the endpoints
        // above (and the ports, paths and CI settings of whoever runs them) to reach this stack.
        '--env-mode=loose',
        '--concurrency=1',
        '--continue',
        '--ui=stream',
        '--log-order=grouped',
      ],
      env,
    );
    const counts = countVitest(vitest.output);
    if (vitest.code !== 0 && counts.failed === 0) broken = true;
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
  } finally {
    if (stack.started.length > 0 && process.env.STACK_KEEP !== '1') {
      report.step(`stopping the stack parts this run started (${stack.started.join(', ')})`);
      await down(config, silentReporter, { parts: stack.started });
    }
  }
  if (broken) {
    report.warn('a test runner failed without reporting a failed test (see its output above)');
    total.failed += 1;
  }
  process.stdout.write(
    `\n${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}\n`,
  );
  return total.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`test: ${err instanceof Error ? err.message : String(err)}\n`);
    process.stdout.write('\n0 passed, 1 failed\n');
    process.exit(1);
  },
);
