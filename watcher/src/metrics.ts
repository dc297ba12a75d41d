import { createServer, type Server } from 'node:http';

/** Counters the watcher exposes at /metrics (Prometheus text) and summarises at /health. */
export class Metrics {
  linesRead = new Map<string, number>();
  recordsSent = new Map<string, number>();
  /** Heartbeats committed per topic (one per partition each time a quiet topic's interval passes). */
  heartbeatsSent = new Map<string, number>();
  dlqRecords = new Map<string, number>();
  /** Per source, per kind of oddity: lines sent although something in them was odd. */
  lineWarnings = new Map<string, Map<string, number>>();
  /** Per source, per kind: valid lines the source chose not to send (associations to other SSIDs). */
  linesSkipped = new Map<string, Map<string, number>>();
  bytesBehind = new Map<string, number>();
  lastCommitMs = 0;
  commits = 0;
  kafkaUp = false;
  /** The Kafka client carrying the transactions. */
  producer = '';
  /** When the transaction now in flight began; one that takes this long means Kafka is away or stuck. */
  txStartedMs: number | undefined;
  static readonly STALLED_TX_MS = 3_000;

  /** Kafka answered the last call and no transaction is hanging. */
  get kafkaHealthy(): boolean {
    return (
      this.kafkaUp &&
      (this.txStartedMs === undefined || Date.now() - this.txStartedMs < Metrics.STALLED_TX_MS)
    );
  }

  add(map: Map<string, number>, key: string, n: number): void {
    map.set(key, (map.get(key) ?? 0) + n);
  }

  /** Counts one event of a kind for a source (a two-label counter). */
  addByKind(map: Map<string, Map<string, number>>, source: string, kind: string, n = 1): void {
    let kinds = map.get(source);
    if (!kinds) map.set(source, (kinds = new Map()));
    kinds.set(kind, (kinds.get(kind) ?? 0) + n);
  }

  prometheus(): string {
    const lines: string[] = [];
    const label = (v: string) => v.replace(/["\\\n]/g, '_');
    const family = (
      name: string,
      help: string,
      type: string,
      map: Map<string, number>,
      labelName: string,
    ) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [k, v] of map) lines.push(`${name}{${labelName}="${label(k)}"} ${v}`);
    };
    const byKind = (name: string, help: string, map: Map<string, Map<string, number>>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [source, kinds] of map)
        for (const [kind, v] of kinds)
          lines.push(`${name}{source="${label(source)}",kind="${label(kind)}"} ${v}`);
    };
    family(
      'watcher_lines_read_total',
      'Lines read from watched files.',
      'counter',
      this.linesRead,
      'source',
    );
    family(
      'watcher_records_sent_total',
      'Records committed to Kafka.',
      'counter',
      this.recordsSent,
      'topic',
    );
    family(
      'watcher_heartbeats_sent_total',
      'Heartbeat records committed to quiet topics (one per partition per interval; heartbeatMs).',
      'counter',
      this.heartbeatsSent,
      'topic',
    );
    family(
      'watcher_dlq_records_total',
      'Lines sent to a dead-letter topic.',
      'counter',
      this.dlqRecords,
      'source',
    );
    byKind(
      'watcher_line_warnings_total',
      'Lines sent although something in them was odd (kept as written), per kind of oddity.',
      this.lineWarnings,
    );
    byKind(
      'watcher_lines_skipped_total',
      'Valid lines a source chose not to send (kind "ssid": an association to a network not in its ssids).',
      this.linesSkipped,
    );
    family(
      'watcher_bytes_behind',
      'Bytes written to a file but not yet committed.',
      'gauge',
      this.bytesBehind,
      'file',
    );
    lines.push(
      '# HELP watcher_last_commit_timestamp_seconds Time of the last committed transaction.',
      '# TYPE watcher_last_commit_timestamp_seconds gauge',
      `watcher_last_commit_timestamp_seconds ${this.lastCommitMs / 1000}`,
    );
    lines.push(
      '# HELP watcher_commits_total Committed transactions.',
      '# TYPE watcher_commits_total counter',
      `watcher_commits_total ${this.commits}`,
    );
    lines.push(
      '# HELP watcher_kafka_up Whether Kafka answers: the last call succeeded and no transaction has hung for 3 s.',
      '# TYPE watcher_kafka_up gauge',
      `watcher_kafka_up ${this.kafkaHealthy ? 1 : 0}`,
    );
    return lines.join('\n') + '\n';
  }

  health() {
    const behind = [...this.bytesBehind.values()].reduce((a, b) => a + b, 0);
    return {
      status: this.kafkaHealthy ? 'ok' : 'degraded',
      producer: this.producer,
      kafka: this.kafkaHealthy ? 'up' : 'unreachable',
      lastCommit: this.lastCommitMs ? new Date(this.lastCommitMs).toISOString() : null,
      bytesBehind: behind,
      commits: this.commits,
    };
  }
}

/** /health (200 when Kafka is reachable, 503 when not) and /metrics. */
export function serveMetrics(metrics: Metrics, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.prometheus());
    } else if (req.url === '/health') {
      const h = metrics.health();
      res
        .writeHead(h.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify(h));
    } else {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":"NOT_FOUND","message":"try /health or /metrics"}');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
