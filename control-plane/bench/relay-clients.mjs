/* global performance, Buffer */
/**
 * A worker thread of bench:relay holding a share of the WebSocket clients, so receiving 20,000
 * messages a second is spread over threads rather than queued behind one event loop (which would
 * measure the bench, not the server). Records receive time − readAt for every update.
 * Plain JavaScript: worker threads do not inherit tsx's loader.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const { port, count } = workerData;
const now = () => performance.timeOrigin + performance.now();
const READ_AT = Buffer.from('"readAt":');
let measuring = false;
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
    Array.from({ length: Math.min(50, count - i) }, () =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
        ws.on('open', () => {
          ws.send(JSON.stringify({ type: 'subscribe', channel: 'pvuv' }));
          sockets.push(ws);
          resolve();
        });
        ws.on('error', reject);
        ws.on('message', (data) => {
          const received = now();
          if (!measuring) return;
          const readAt = readAtOf(data);
          if (readAt !== undefined && !Number.isNaN(readAt)) record(received - readAt);
        });
      }),
    ),
  );
}
parentPort?.postMessage({ type: 'connected', count: sockets.length });
parentPort?.on('message', (m) => {
  if (m.type === 'measure') measuring = true;
  else if (m.type === 'finish') {
    measuring = false;
    for (const ws of sockets) ws.terminate();
    const out = latencies.slice(0, n);
    parentPort?.postMessage({ type: 'latencies', latencies: out }, [out.buffer]);
  }
});
