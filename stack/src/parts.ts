import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { endpoints, REPO_ROOT, type StackConfig } from './config.js';
import { flinkOverview, kafkaHealthy, plannerHealth, zookeeperHealthy } from './health.js';
import { JDK17_FLAGS } from './java.js';
import { StackError, type Reporter } from './log.js';
import { postgresPart } from './postgres.js';

const run = promisify(execFile);

export type PartName =
  'postgres' | 'zookeeper' | 'kafka' | 'jobmanager' | 'taskmanager' | 'planner';

/** Start order; `down` goes the other way. */
export const PART_ORDER: readonly PartName[] = [
  'postgres',
  'zookeeper',
  'kafka',
  'jobmanager',
  'taskmanager',
  'planner',
];

/** The SQL runner jar (built by scripts/bootstrap.mjs); it also holds the SQL gateway's planner. */
export const RUNNER_JAR = join(REPO_ROOT, 'jobs', 'runner', 'target', 'sql-runner.jar');

export interface Libs {
  flink: string;
  kafka: string;
}

/** How to start a part that is not a JVM: its executable, and the user it runs as. */
export interface Launch {
  command: string;
  args: string[];
  user?: { uid: number; gid: number } | undefined;
  cwd?: string;
}

/** One process of the stack: how to start it, where it logs, how to tell it is healthy. */
export interface Part {
  name: PartName;
  port: number;
  /** The part's own log (log4j), the first place to look when it fails. */
  logFile: string;
  /** stdout/stderr of the JVM: crashes before logging is set up land here. */
  outFile: string;
  pidFile: string;
  marker: string;
  /** Set when another server stands in for this part (DATABASE_URL): nothing is started. */
  external?: string | undefined;
  /** The signal that stops it cleanly (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
  /** Writes the part's config files and returns the java arguments (or a non-JVM launch). */
  prepare(libs: Libs, report: Reporter): Promise<string[] | Launch>;
  healthy(): Promise<boolean>;
  describeHealth(): Promise<string>;
  /** Runs once the part is healthy, on every `up` (e.g. the database's migrations). */
  ready?(report: Reporter): Promise<void>;
  /**
   * Given what the part logged during a start that failed, why waiting and starting again will
   * work (undefined: it will not, the start fails for good).
   */
  passingFailure?(log: string): string | undefined;
}

export function paths(config: StackConfig) {
  return {
    logs: join(config.home, 'logs'),
    run: join(config.home, 'run'),
    zkData: join(config.home, 'zookeeper'),
    kafkaData: join(config.home, 'kafka'),
    flink: join(config.home, 'flink'),
    flinkConf: join(config.home, 'flink', 'conf'),
    checkpoints: join(config.home, 'flink', 'checkpoints'),
    savepoints: join(config.home, 'flink', 'savepoints'),
    planner: join(config.home, 'planner'),
  };
}

const LOG4J1 = `log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=\${log.file}
log4j.appender.file.MaxFileSize=50MB
log4j.appender.file.MaxBackupIndex=3
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
`;

const LOG4J2 = `rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
appender.main.name = MainAppender
appender.main.type = RollingFile
appender.main.append = true
appender.main.fileName = \${sys:log.file}
appender.main.filePattern = \${sys:log.file}.%i
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
appender.main.policies.type = Policies
appender.main.policies.size.type = SizeBasedTriggeringPolicy
appender.main.policies.size.size = 50MB
appender.main.strategy.type = DefaultRolloverStrategy
appender.main.strategy.max = 3
logger.akka.name = akka
logger.akka.level = INFO
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
logger.netty.name = org.apache.flink.shaded.netty4.io.netty.channel.DefaultChannelPipeline
logger.netty.level = OFF
`;

function write(path: string, content: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

/** Builds the parts for a configuration. */
export function buildParts(config: StackConfig): Record<PartName, Part> {
  const p = paths(config);
  const { kafkaBrokers, flinkRestUrl, plannerUrl } = endpoints(config);
  const marker = (name: PartName) => `-Dpulse.stack.part=${name}@${config.home}`;
  const base = (name: PartName, port: number, logFile: string) => ({
    name,
    port,
    logFile,
    outFile: join(p.logs, `${name}.out`),
    pidFile: join(p.run, `${name}.json`),
    marker: marker(name),
  });

  const zookeeper: Part = {
    ...base('zookeeper', config.zkPort, join(p.logs, 'zookeeper.log')),
    async prepare(libs) {
      const conf = join(config.home, 'conf', 'zookeeper.properties');
      write(
        conf,
        [
          `dataDir=${p.zkData}`,
          `clientPort=${config.zkPort}`,
          `clientPortAddress=${config.host}`,
          'tickTime=2000',
          'maxClientCnxns=0',
          'admin.enableServer=false',
          '4lw.commands.whitelist=ruok,srvr,stat,mntr',
          '',
        ].join('\n'),
      );
      const log4j = join(config.home, 'conf', 'log4j-zookeeper.properties');
      write(log4j, LOG4J1);
      return [
        `-Xmx${config.zkHeap}`,
        marker('zookeeper'),
        `-Dlog.file=${this.logFile}`,
        `-Dlog4j.configuration=file:${log4j}`,
        '-cp',
        `${libs.kafka}/*`,
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        conf,
      ];
    },
    healthy: () => zookeeperHealthy(config.host, config.zkPort),
    async describeHealth() {
      return (await this.healthy()) ? 'imok' : 'not answering ruok';
    },
  };

  const kafka: Part = {
    ...base('kafka', config.kafkaPort, join(p.logs, 'kafka.log')),
    async prepare(libs) {
      const conf = join(config.home, 'conf', 'kafka.properties');
      write(
        conf,
        [
          'broker.id=0',
          `listeners=PLAINTEXT://${config.host}:${config.kafkaPort}`,
          `advertised.listeners=PLAINTEXT://${config.host}:${config.kafkaPort}`,
          `log.dirs=${p.kafkaData}`,
          `zookeeper.connect=${config.host}:${config.zkPort}`,
          'zookeeper.connection.timeout.ms=30000',
          `num.partitions=${config.kafkaPartitions}`,
          'auto.create.topics.enable=true',
          'delete.topic.enable=true',
          // A single broker: internal topics cannot be replicated.
          'offsets.topic.replication.factor=1',
          'offsets.topic.num.partitions=10',
          'transaction.state.log.replication.factor=1',
          'transaction.state.log.min.isr=1',
          'transaction.state.log.num.partitions=10',
          'group.initial.rebalance.delay.ms=0',
          'log.retention.hours=168',
          '',
        ].join('\n'),
      );
      const log4j = join(config.home, 'conf', 'log4j-kafka.properties');
      write(log4j, LOG4J1);
      return [
        `-Xmx${config.kafkaHeap}`,
        `-Xms${config.kafkaHeap}`,
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        marker('kafka'),
        `-Dlog.file=${this.logFile}`,
        `-Dlog4j.configuration=file:${log4j}`,
        '-cp',
        `${libs.kafka}/*`,
        'kafka.Kafka',
        conf,
      ];
    },
    healthy: () => kafkaHealthy(kafkaBrokers),
    async describeHealth() {
      return (await this.healthy()) ? 'serving metadata' : 'no metadata';
    },
    // A broker killed without a clean shutdown leaves its registration in ZooKeeper until its
    // session times out (18 s); a broker started before that refuses to register and exits.
    passingFailure: (log) =>
      /\/brokers\/ids\/\d+, node already exists/.test(log)
        ? "the previous broker's ZooKeeper session has not expired yet"
        : undefined,
  };

  const flinkConf = (): void => {
    write(
      join(p.flinkConf, 'flink-conf.yaml'),
      [
        `jobmanager.rpc.address: ${config.host}`,
        `jobmanager.rpc.port: ${config.flinkRpcPort}`,
        `jobmanager.bind-host: ${config.host}`,
        `taskmanager.bind-host: ${config.host}`,
        `taskmanager.host: ${config.host}`,
        `rest.address: ${config.host}`,
        `rest.bind-address: ${config.host}`,
        `rest.port: ${config.flinkRestPort}`,
        `jobmanager.memory.process.size: ${config.flinkJobManagerMemory}`,
        `taskmanager.memory.process.size: ${config.flinkTaskManagerMemory}`,
        `taskmanager.numberOfTaskSlots: ${config.flinkTaskSlots}`,
        'parallelism.default: 1',
        'web.submit.enable: true',
        `web.upload.dir: ${join(p.flink, 'upload')}`,
        `web.tmpdir: ${join(p.flink, 'web')}`,
        `io.tmp.dirs: ${join(p.flink, 'tmp')}`,
        'state.backend: filesystem',
        `state.checkpoints.dir: file://${p.checkpoints}`,
        `state.savepoints.dir: file://${p.savepoints}`,
        'state.checkpoints.num-retained: 3',
        // The runner's classloader is released after main() returns; the leak check only adds noise.
        'classloader.check-leaked-classloader: false',
        '',
      ].join('\n'),
    );
    write(join(p.flinkConf, 'log4j.properties'), LOG4J2);
  };

  const resourceParams = async (
    libs: Libs,
    which: 'GET_JM_RESOURCE_PARAMS' | 'GET_TM_RESOURCE_PARAMS',
  ) => {
    // The same computation Flink's bin scripts run: JVM sizes and the derived memory options.
    const { stdout } = await run(
      config.java,
      [
        '-cp',
        `${libs.flink}/*:${p.flinkConf}`,
        'org.apache.flink.runtime.util.bash.BashJavaUtils',
        which,
        '--configDir',
        p.flinkConf,
      ],
      { maxBuffer: 4 << 20 },
    );
    const results = stdout
      .split('\n')
      .filter((l) => l.startsWith('BASH_JAVA_UTILS_EXEC_RESULT:'))
      .map((l) => l.slice('BASH_JAVA_UTILS_EXEC_RESULT:'.length).trim());
    if (results.length < 2)
      throw new StackError(
        'STACK_FLINK_MEMORY',
        `could not compute Flink memory settings: ${stdout.slice(-500)}`,
        'flink',
      );
    return { jvm: results[0]!.split(/\s+/), dynamic: results[1]!.split(/\s+/) };
  };

  const flinkJvm = (name: PartName, logFile: string, libs: Libs) => [
    ...JDK17_FLAGS,
    marker(name),
    `-Dlog.file=${logFile}`,
    `-Dlog4j.configurationFile=file:${join(p.flinkConf, 'log4j.properties')}`,
    '-cp',
    `${libs.flink}/*:${p.flinkConf}`,
  ];

  const jobmanager: Part = {
    ...base('jobmanager', config.flinkRestPort, join(p.logs, 'jobmanager.log')),
    async prepare(libs) {
      flinkConf();
      const { jvm, dynamic } = await resourceParams(libs, 'GET_JM_RESOURCE_PARAMS');
      return [
        ...jvm,
        ...flinkJvm('jobmanager', this.logFile, libs),
        'org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint',
        '--configDir',
        p.flinkConf,
        '--executionMode',
        'cluster',
        ...dynamic,
      ];
    },
    healthy: async () => (await flinkOverview(flinkRestUrl)) !== undefined,
    async describeHealth() {
      const o = await flinkOverview(flinkRestUrl);
      return o ? `REST up, Flink ${o['flink-version']}` : 'REST not answering';
    },
  };

  const taskmanager: Part = {
    ...base('taskmanager', 0, join(p.logs, 'taskmanager.log')),
    async prepare(libs) {
      flinkConf();
      const { jvm, dynamic } = await resourceParams(libs, 'GET_TM_RESOURCE_PARAMS');
      return [
        ...jvm,
        ...flinkJvm('taskmanager', this.logFile, libs),
        'org.apache.flink.runtime.taskexecutor.TaskManagerRunner',
        '--configDir',
        p.flinkConf,
        ...dynamic,
      ];
    },
    healthy: async () => ((await flinkOverview(flinkRestUrl))?.taskmanagers ?? 0) >= 1,
    async describeHealth() {
      const o = await flinkOverview(flinkRestUrl);
      return o
        ? `${o.taskmanagers} registered, ${o['slots-total']} slots`
        : 'JobManager not answering';
    },
  };

  // The SQL gateway's planner: one Flink 1.12 TableEnvironment per SQL session, on Flink's own
  // classpath. It runs from a copy of the runner jar: a rebuild of the jar (bootstrap does one when
  // the sources change) would otherwise swap classes under the running JVM, and the copy is also
  // the jar its preview jobs ship to the cluster.
  const planner: Part = {
    ...base('planner', config.plannerPort, join(p.logs, 'planner.log')),
    async prepare(libs) {
      flinkConf();
      if (!existsSync(RUNNER_JAR))
        throw new StackError(
          'STACK_RUNNER_JAR',
          `the SQL runner jar ${RUNNER_JAR} is missing: run npm run bootstrap (it builds the jar with Maven)`,
          'planner',
        );
      mkdirSync(p.planner, { recursive: true });
      for (const old of readdirSync(p.planner)) rmSync(join(p.planner, old), { force: true });
      const jar = join(p.planner, `sql-runner-${Math.round(statSync(RUNNER_JAR).mtimeMs)}.jar`);
      copyFileSync(RUNNER_JAR, jar);
      return [
        '-Xmx768m',
        ...JDK17_FLAGS,
        marker('planner'),
        `-Dlog.file=${this.logFile}`,
        `-Dlog4j.configurationFile=file:${join(p.flinkConf, 'log4j.properties')}`,
        '-cp',
        `${libs.flink}/*:${jar}`,
        'pulse.runner.planner.PlannerServer',
        '--host',
        config.host,
        '--port',
        String(config.plannerPort),
        '--flink-rest',
        flinkRestUrl,
      ];
    },
    healthy: async () => (await plannerHealth(plannerUrl)) !== undefined,
    async describeHealth() {
      const h = await plannerHealth(plannerUrl);
      return h ? `answering, Flink ${h.flinkVersion}, ${h.sessions} sessions` : 'not answering';
    },
  };

  const postgres = postgresPart(config, p.logs, p.run);
  return { postgres, zookeeper, kafka, jobmanager, taskmanager, planner };
}
