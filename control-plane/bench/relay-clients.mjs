/* global performance, Buffer, setInterval, clearInterval */
/**
 * A worker thread of bench:relay holding a share of the WebSocket clients, so receiving 20,000
 * messages a second is spread over threads rather than queued behind one event loop (which would
 * measure the bench, not the server). Records receive time − readAt for every update.
 * Plain JavaScript: worker threads do not inherit tsx's loader.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const { port, count, heartbeatMs } = workerData;
const now = () => performance.timeOrigin + performance.now();
const READ_AT = Buffer.from('"readAt":');
/** Updates read by the server at or after this instant are measured (warm-up excluded). */
let measureFrom = Number.POSITIVE_INFINITY;
const perClient = [];
let latencies = new Float64Array(1 << 16);
let n = 0;

function record(ms) {
  if (n === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2);
    bigger.set(latencies);
    latencies = bigger;
  }
  latencies[n++] = ms;
}

/** readAt without parsing the whole message: the bench should cost less than what it measures. */
function readAtOf(data) {
  const at = data.lastIndexOf(READ_AT);
  if (at < 0) return undefined;
  const end = data.indexOf(0x7d, at); // '}'
  const comma = data.indexOf(0x2c, at); // ','
  const stop = comma > 0 && comma < end ? comma : end;
  return Number(data.subarray(at + READ_AT.length, stop).toString());
}

const sockets = [];
for (let i = 0; i < count; i += 50) {
  await Promise.all(
    Array.from(
      { length: Math.min(50, count - i) },
      () =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
          const index = perClient.length;
          ws.on('open', () => {
            ws.send(JSON.stringify({ type: 'subscribe', channel: 'pvuv' }));
            sockets.push(ws);
            resolve();
          });
          perClient[index] = 0;
          ws.on('error', reject);
          ws.on('message', (data) => {
            const received = now();
            const readAt = readAtOf(data);
            if (readAt === undefined || Number.isNaN(readAt) || readAt < measureFrom) return;
            perClient[index]++;
            record(received - readAt);
          });
        }),
    ),
  );
}
// Viewers send heartbeats; a silent client would rightly be closed by the relay after its timeout.
const beat = setInterval(() => {
  const hb = JSON.stringify({ type: 'hb', t: Date.now() });
  for (const ws of sockets) if (ws.readyState === 1) ws.send(hb);
}, heartbeatMs);
parentPort?.postMessage({ type: 'connected', count: sockets.length });
parentPort?.on('message', (m) => {
  if (m.type === 'measure') measureFrom = m.from;
  else if (m.type === 'finish') {
    clearInterval(beat);
    const closed = sockets.filter((ws) => ws.readyState !== 1).length;
    for (const ws of sockets) ws.terminate();
    const out = latencies.slice(0, n);
    parentPort?.postMessage({ type: 'latencies', latencies: out, perClient, closed }, [out.buffer]);
  }
});
