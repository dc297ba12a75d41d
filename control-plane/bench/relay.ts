/**
 * bench:relay — delivery latency of the WebSocket relay under 1,000 viewers, against a bare `ws`
 * broadcast of the same messages.
 *
 *   npm run bench:relay -- [--clients 1000] [--rate 20] [--seconds 30] [--workers 2]
 *
 * For each server (relay, then baseline) it starts the server in its own process, connects the
 * clients, produces `rate` PV/UV records per second into a fresh topic for `seconds`, and measures
 * per delivered message: client receive time − the time the server read the record from Kafka.
 * It prints p50/p99/max latency, the server's CPU and peak RSS, and whether the relay meets its
 * target (p99 < 50 ms and within 1.5x of the baseline's p99).
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { Worker } from 'node:worker_threads';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '2' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '30' },
  },
});
const CLIENTS = Number(values.clients);
const RATE = Number(values.rate);
const WORKERS = Math.max(1, Number(values.workers));
const SECONDS = Number(values.seconds);
const WARMUP_MS = 2000;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

interface Sample {
  cpu: { user: number; system: number };
  rss: number;
  at: number;
}

interface Result {
  mode: string;
  delivered: number;
  /** Measured updates per client, "min-max" when some client missed some. */
  perClient: string;
  closed: number;
  p50: number;
  p99: number;
  max: number;
  cpuPercent: number;
  peakRssMb: number;
}

function startServer(
  mode: string,
  topic: string,
): Promise<{ child: ChildProcess; port: number; samples: Sample[] }> {
  const file = fileURLToPath(new URL('./relay-server.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', file, '--mode', mode, '--topic', topic],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const samples: Sample[] = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let m: { port?: number } & Partial<Sample>;
      try {
        m = JSON.parse(line);
      } catch {
        return;
      }
      if (m.port) resolve({ child, port: m.port, samples });
      else if (m.cpu && m.rss && m.at) samples.push(m as Sample);
    });
  });
}

/** Connects the clients spread over worker threads; resolves once every one is subscribed. */
interface ClientsResult {
  latencies: number[];
  /** Fewest and most measured updates any one client received: equal when nobody missed any. */
  minPerClient: number;
  maxPerClient: number;
  closed: number;
}

async function startClients(
  port: number,
): Promise<{ measure(from: number): void; finish(): Promise<ClientsResult> }> {
  const file = fileURLToPath(new URL('./relay-clients.mjs', import.meta.url));
  const workers = Array.from({ length: WORKERS }, (_, i) => {
    const count = Math.floor(CLIENTS / WORKERS) + (i < CLIENTS % WORKERS ? 1 : 0);
    return new Worker(file, { workerData: { port, count, heartbeatMs: 15_000 } });
  });
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.once('error', reject);
          w.on('message', (m: { type: string }) => m.type === 'connected' && resolve());
        }),
    ),
  );
  return {
    measure: (from) => workers.forEach((w) => w.postMessage({ type: 'measure', from })),
    finish: async () => {
      type Part = { latencies: Float64Array; perClient: number[]; closed: number };
      const parts = await Promise.all(
        workers.map(
          (w) =>
            new Promise<Part>((resolve) => {
              w.on('message', (m: { type: string } & Part) => m.type === 'latencies' && resolve(m));
              w.postMessage({ type: 'finish' });
            }),
        ),
      );
      await Promise.all(workers.map((w) => w.terminate()));
      const counts = parts.flatMap((p) => p.perClient);
      return {
        latencies: parts.flatMap((p) => [...p.latencies]),
        minPerClient: Math.min(...counts),
        maxPerClient: Math.max(...counts),
        closed: parts.reduce((sum, p) => sum + p.closed, 0),
      };
    },
  };
}

const quantile = (sorted: Float64Array, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

async function run(mode: string): Promise<Result> {
  const topic = `bench_pvuv_${mode}_${randomUUID().slice(0, 8)}`;
  const kafka = new Kafka({ clientId: 'bench-relay', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();

  const server = await startServer(mode, topic);
  const clients = await startClients(server.port);
  process.stdout.write(
    `${mode}: ${CLIENTS} clients connected on port ${server.port} (${WORKERS} client threads)\n`,
  );
  await new Promise((r) => setTimeout(r, 1000));

  const total = RATE * SECONDS;
  const start = Date.now();
  const base = Math.floor(start / 10_000) * 10_000;
  let cpuFrom: Sample | undefined;
  clients.measure(performance.timeOrigin + performance.now() + WARMUP_MS);
  setTimeout(() => {
    cpuFrom = server.samples.at(-1);
  }, WARMUP_MS);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const end = base + i * 10_000;
    await producer.send({
      topic,
      messages: [
        {
          value: JSON.stringify({
            window_start: new Date(end - 60_000).toISOString(),
            window_end: new Date(end).toISOString(),
            pv: 1000 + i,
            uv: 500 + (i % 97),
          }),
        },
      ],
    });
  }
  await new Promise((r) => setTimeout(r, 1500));
  const { latencies, minPerClient, maxPerClient, closed } = await clients.finish();
  const cpuTo = server.samples.at(-1);
  const peakRss = Math.max(...server.samples.map((s) => s.rss));
  server.child.removeAllListeners('exit');
  server.child.kill('SIGTERM');
  await producer.disconnect();

  const sorted = Float64Array.from(latencies).sort();
  const cpuMs =
    cpuFrom && cpuTo
      ? (cpuTo.cpu.user + cpuTo.cpu.system - cpuFrom.cpu.user - cpuFrom.cpu.system) / 1000
      : Number.NaN;
  const wallMs = cpuFrom && cpuTo ? cpuTo.at - cpuFrom.at : Number.NaN;
  return {
    mode,
    delivered: sorted.length,
    perClient:
      minPerClient === maxPerClient ? String(minPerClient) : `${minPerClient}-${maxPerClient}`,
    closed,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
    cpuPercent: (100 * cpuMs) / wallMs,
    peakRssMb: peakRss / 2 ** 20,
  };
}

process.stdout.write(
  `bench:relay — ${CLIENTS} clients, ${RATE} updates/s for ${SECONDS} s, brokers ${brokers.join(',')}\n`,
);
const relay = await run('relay');
const baseline = await run('baseline');
const f = (n: number, d = 1) => n.toFixed(d).padStart(8);
process.stdout.write(
  '\nserver     delivered  per client  closed   p50 ms   p99 ms   max ms   CPU %   peak RSS MiB\n',
);
for (const r of [relay, baseline]) {
  process.stdout.write(
    `${r.mode.padEnd(10)} ${String(r.delivered).padStart(9)} ${r.perClient.padStart(11)} ${String(r.closed).padStart(7)} ${f(r.p50, 2)} ${f(r.p99, 2)} ${f(r.max, 1)} ${f(r.cpuPercent)} ${f(r.peakRssMb)}\n`,
  );
}
const ratio = relay.p99 / baseline.p99;
const ok = relay.p99 < 50 && ratio <= 1.5 && relay.closed === 0;
process.stdout.write(
  `\nrelay p99 / baseline p99 = ${ratio.toFixed(2)}x; target p99 < 50 ms and <= 1.5x: ${ok ? 'MET' : 'NOT MET'}\n`,
);
process.exit(ok ? 0 : 1);
