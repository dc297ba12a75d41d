import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { libDir, ARTIFACT_SETS } from './artifacts.js';
import { ConfigError, configHelp, loadOrExit } from '@pulse/kit';
import { endpoints, loadConfig, STACK_CONFIG_SCHEMA } from './config.js';
import { consoleReporter, StackError } from './log.js';
import { buildParts, PART_ORDER, type PartName } from './parts.js';
import { down, status, up } from './stack.js';

const HELP = `Local runtime: PostgreSQL, ZooKeeper, one Kafka broker and a Flink 1.12.7 session cluster on this machine.

Usage: npm run stack -- <command> [options]

Commands:
  up                 resolve the jars (cached), start what is not running, wait until healthy
  down [--purge]     stop exactly what 'up' started; --purge also removes the runtime folder
  status [--json]    each part with its pid, port, health and resident memory
  logs [part] [-f] [-n N]
                     print the last N (default 40) lines of a part's log (all parts if none);
                     -f follows. Parts: ${PART_ORDER.join(', ')}

Environment:
${configHelp(STACK_CONFIG_SCHEMA)}
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      purge: { type: 'boolean' },
      json: { type: 'boolean' },
      follow: { type: 'boolean', short: 'f' },
      lines: { type: 'string', short: 'n', default: '40' },
      parts: { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP);
    return command || values.help ? 0 : 2;
  }
  const config = loadOrExit('stack', () => loadConfig());
  const report = consoleReporter();
  const parts = values.parts?.split(',').map((p) => p.trim()) as PartName[] | undefined;
  if (parts?.some((p) => !PART_ORDER.includes(p))) {
    throw new ConfigError(
      '--parts',
      `--parts takes a comma-separated list of ${PART_ORDER.join(', ')}`,
    );
  }
  switch (command) {
    case 'up': {
      const started = Date.now();
      const result = await up(config, report, parts ? { parts } : {});
      report.step(
        `stack is up in ${((Date.now() - started) / 1000).toFixed(1)}s${result.started.length ? ` (started ${result.started.join(', ')})` : ' (everything was already running)'}`,
      );
      const e = result.endpoints;
      process.stdout.write(
        `KAFKA_BROKERS=${e.kafkaBrokers}\nFLINK_REST_URL=${e.flinkRestUrl}\nPLANNER_URL=${e.plannerUrl}\nZOOKEEPER=${e.zookeeper}\nDATABASE_URL=${e.databaseUrl}\n`,
      );
      return 0;
    }
    case 'down':
      await down(config, report, { purge: values.purge ?? false, ...(parts ? { parts } : {}) });
      return 0;
    case 'status': {
      const rows = await status(config);
      if (values.json) {
        process.stdout.write(
          JSON.stringify({ parts: rows, endpoints: endpoints(config) }, null, 2) + '\n',
        );
      } else {
        for (const r of rows) {
          const mem = r.rssMiB === undefined ? '' : `${r.rssMiB} MiB`;
          process.stdout.write(
            `${r.part.padEnd(12)} ${r.running ? `pid ${r.pid}` : 'stopped'}`.padEnd(24) +
              `port ${r.port || '-'}`.padEnd(11) +
              `${r.healthy ? 'healthy' : 'unhealthy'}: ${r.health}`.padEnd(48) +
              `${mem.padEnd(10)} ${r.log}\n`,
          );
        }
        for (const set of ARTIFACT_SETS)
          process.stdout.write(`${set.name} jars: ${libDir(config, set)}\n`);
      }
      return rows.every((r) => r.healthy) ? 0 : 1;
    }
    case 'logs': {
      const all = buildParts(config);
      const names = rest.length ? (rest as PartName[]) : [...PART_ORDER];
      const files = names
        .map((n) => {
          const part = all[n];
          if (!part)
            throw new ConfigError(
              'part',
              `unknown part "${n}"; parts are ${PART_ORDER.join(', ')}`,
            );
          return part.logFile;
        })
        .filter((f) => existsSync(f));
      if (files.length === 0) {
        process.stderr.write('no logs yet: run "npm run stack -- up" first\n');
        return 1;
      }
      const tail = spawn(
        'tail',
        ['-n', String(values.lines), ...(values.follow ? ['-F'] : []), ...files],
        { stdio: 'inherit' },
      );
      return await new Promise((r) => tail.on('close', (code) => r(code ?? 0)));
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof StackError || err instanceof ConfigError) {
      process.stderr.write(`stack: ${err.message}\n`);
    } else {
      process.stderr.write(
        `stack: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
    }
    process.exit(1);
  },
);
