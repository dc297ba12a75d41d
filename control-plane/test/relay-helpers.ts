/** Shared pieces of the relay's integration tests: a relay on a real port, real clients, real Kafka. */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import WebSocket from 'ws';
import relay from '../src/relay/plugin.js';
import type { RelayConfig } from '../src/relay/config.js';
import { loadConfig } from '../src/config.js';

export const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export const randomName = (prefix: string) => `${prefix}_${randomUUID().slice(0, 8)}`;

/** Relay settings for a test: its own topics, quick heartbeats, overrides on top. */
export function testConfig(env: Record<string, string>): RelayConfig {
  return loadConfig({
    KAFKA_BROKERS: BROKERS.join(','),
    RELAY_GROUP_PREFIX: 'relay-test',
    ...env,
  }).relay;
}

/** Starts a relay on a free port and waits until its start-up replay has caught up. */
export async function startRelay(
  config: RelayConfig,
): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: { level: 'warn' } });
  await app.register(relay, { config });
  await app.listen({ host: '127.0.0.1', port: 0 });
  await app.relay.caughtUp;
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { app, url: `ws://127.0.0.1:${address.port}/ws` };
}

export async function producer(): Promise<Producer> {
  const kafka = new Kafka({ clientId: 'relay-test', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const p = kafka.producer({ allowAutoTopicCreation: true });
  await p.connect();
  return p;
}

export type Msg = Record<string, unknown> & { type: string; seq?: number };

/** A real WebSocket client that records every message and can wait for a condition. */
export class TestClient {
  readonly messages: Msg[] = [];
  /** Frames that arrived as binary (a browser would hand those to the page as a Blob). */
  binaryFrames = 0;
  closeCode?: number;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.binaryFrames++;
      this.messages.push(JSON.parse(data.toString()) as Msg);
      this.wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves once `predicate` holds, failing after `timeoutMs`. */
  async until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  of(type: string, channel?: string): Msg[] {
    return this.messages.filter(
      (m) => m.type === type && (channel === undefined || m.channel === channel),
    );
  }

  close(): void {
    this.ws.terminate();
  }
}
