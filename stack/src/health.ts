import { connect, createServer } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';

/** True when something accepts TCP connections on host:port. */
export function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** ZooKeeper's four-letter "ruok" must come back "imok". */
export function zookeeperHealthy(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = connect({ host, port }, () => socket.write('ruok'));
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('data', (d) => (reply += d.toString()));
    socket.once('end', () => done(reply.trim() === 'imok'));
    socket.once('error', () => done(false));
  });
}

/** The broker serves metadata: at least one broker is listed. */
export async function kafkaHealthy(brokers: string, timeoutMs = 3000): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'stack-health',
    brokers: [brokers],
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Flink's /overview, or undefined when the REST endpoint does not answer. */
export async function flinkOverview(
  restUrl: string,
  timeoutMs = 3000,
): Promise<{ taskmanagers: number; 'slots-total': number; 'flink-version': string } | undefined> {
  try {
    const res = await fetch(`${restUrl}/overview`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    return (await res.json()) as {
      taskmanagers: number;
      'slots-total': number;
      'flink-version': string;
    };
  } catch {
    return undefined;
  }
}

/** The SQL gateway planner's /health, or undefined when it does not answer. */
export async function plannerHealth(
  plannerUrl: string,
  timeoutMs = 3000,
): Promise<{ flinkVersion: string; sessions: number } | undefined> {
  try {
    const res = await fetch(`${plannerUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    return (await res.json()) as { flinkVersion: string; sessions: number };
  } catch {
    return undefined;
  }
}

/** A TCP port free on 127.0.0.1 right now: for tests and tools that run a second stack beside the first. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Environment for a second, private stack beside a running one: its own runtime folder and spare
 * ports for every part (tests of the launcher, the watcher's broker outage, the start command).
 */
export async function spareStackEnv(
  home: string,
): Promise<
  Record<
    | 'STACK_HOME'
    | 'ZK_PORT'
    | 'KAFKA_PORT'
    | 'FLINK_REST_PORT'
    | 'FLINK_RPC_PORT'
    | 'PLANNER_PORT'
    | 'PG_PORT',
    string
  >
> {
  return {
    STACK_HOME: home,
    ZK_PORT: String(await freePort()),
    KAFKA_PORT: String(await freePort()),
    FLINK_REST_PORT: String(await freePort()),
    FLINK_RPC_PORT: String(await freePort()),
    PLANNER_PORT: String(await freePort()),
    PG_PORT: String(await freePort()),
  };
}
