/**
 * `GET /metrics` in Prometheus' text format: API requests by route and status with their
 * durations, relay clients and records relayed per channel, the relay consumer's lag, and the
 * number of Flink jobs per job name and state. Open like /health (figures, not internals).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JOB_NAME_SEPARATOR } from '../constants.js';
import { PREVIEW_JOB_PREFIX } from '../gateway/constants.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
}

export default fp(
  async (fastify: FastifyInstance) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'pulse_control_plane_' });
    const requests = new Counter({
      name: 'pulse_http_requests_total',
      help: 'API requests answered, by method, route and status code',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
    const durations = new Histogram({
      name: 'pulse_http_request_duration_seconds',
      help: 'Time to answer an API request, by route',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    const relay = () => (fastify.hasDecorator('relay') ? fastify.relay : undefined);
    new Gauge({
      name: 'pulse_relay_clients',
      help: 'WebSocket clients connected to the relay',
      registers: [registry],
      collect() {
        const r = relay();
        if (r) this.set(r.hub.stats().clients);
      },
    });
    new Gauge({
      name: 'pulse_relay_updates_total',
      help: 'Updates the relay has sequenced per channel since it started (a counter in value)',
      labelNames: ['channel'],
      registers: [registry],
      collect() {
        const r = relay();
        if (!r) return;
        for (const [channel, c] of Object.entries(r.hub.stats().channels))
          this.set({ channel }, c.seq);
      },
    });
    new Gauge({
      name: 'pulse_relay_consumer_lag',
      help: "Records of a relayed topic partition the relay's consumer has not read yet",
      labelNames: ['topic', 'partition'],
      registers: [registry],
      collect() {
        const r = relay();
        if (!r) return;
        this.reset();
        for (const [key, lag] of r.lag()) {
          const slash = key.lastIndexOf('/');
          this.set({ topic: key.slice(0, slash), partition: key.slice(slash + 1) }, lag);
        }
      },
    });
    new Gauge({
      name: 'pulse_flink_jobs',
      help: 'Flink jobs per job name and state (0 scraped when Flink is unreachable is reported as flink_up 0)',
      labelNames: ['job', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        const jobs = await fastify.flink.jobsOverview().catch(() => undefined);
        flinkUp.set(jobs ? 1 : 0);
        for (const job of jobs ?? []) {
          // Previews of the SQL gateway come and go by the hundred: one label for them all.
          const name = job.name.startsWith(PREVIEW_JOB_PREFIX)
            ? 'sql-gateway previews'
            : (job.name.split(JOB_NAME_SEPARATOR)[0] ?? job.name);
          this.inc({ job: name, state: job.state });
        }
      },
    });
    const flinkUp = new Gauge({
      name: 'pulse_flink_up',
      help: "1 when Flink's REST API answered the last scrape",
      registers: [registry],
    });

    fastify.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      if (route === '/metrics') return;
      requests.inc({ method: request.method, route, status: String(reply.statusCode) });
      durations.observe({ route }, reply.elapsedTime / 1000);
    });

    fastify.decorate('metrics', registry);
    fastify.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type(registry.contentType).send(await registry.metrics()),
    );
  },
  { name: 'metrics', dependencies: ['config', 'flink'] },
);
