import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { invalidToken, unauthenticated } from '../../errors/app-error.js';
import { sameSecret, tokenFrom } from '../../server/auth.js';
import type { AppContext } from '../../server/context.js';
import { DATABASE_GAUGE_FAMILIES } from './database-families.js';
import { DatabaseGaugeCache, registerDatabaseGauges } from './database-gauges.js';

/**
 * Prometheus metrics at /metrics: this node's request counts and latencies per route, open long polls and process
 * figures, and the backup-health gauges read from the database (database-families.ts), the same on every node.
 */
export async function metricsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'coffer_' });
  const requests = new Counter({
    name: 'coffer_http_requests_total',
    help: 'HTTP requests answered, by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'coffer_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry],
  });
  new Gauge({
    name: 'coffer_event_long_polls',
    help: 'Event reads currently held open waiting for an event',
    registers: [registry],
    collect() {
      this.set(ctx.events.waitingCount);
    },
  });

  new Gauge({
    name: 'coffer_vault_bytes_received',
    help: 'Vault file bytes this node received from agents since it started (0 with object storage: agents upload directly)',
    registers: [registry],
    collect() {
      this.set(ctx.vaultTraffic.received);
    },
  });
  new Gauge({
    name: 'coffer_vault_bytes_sent',
    help: 'Vault file bytes this node sent to agents since it started (0 with object storage: reads are redirected)',
    registers: [registry],
    collect() {
      this.set(ctx.vaultTraffic.sent);
    },
  });

  const cache = new DatabaseGaugeCache(DATABASE_GAUGE_FAMILIES, {
    db: ctx.store.db,
    config: ctx.config,
    ttlMs: ctx.config.metricsCacheMs,
    onError: (family, error) => ctx.log.warn({ err: error, family }, 'reading a metric family from the database failed'),
  });
  registerDatabaseGauges(registry, DATABASE_GAUGE_FAMILIES, cache);

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { config: { public: true }, schema: { tags: ['health'], summary: 'Prometheus metrics' } }, async (request, reply) => {
    const expected = ctx.config.metricsToken;
    if (expected !== undefined) {
      const token = tokenFrom(request);
      if (token === undefined) throw unauthenticated('/metrics needs Authorization: Bearer with COFFER_METRICS_TOKEN.');
      if (!sameSecret(token, expected)) throw invalidToken('That is not the metrics token.');
    }
    // The families first: coffer_database_metrics_up tells how that read went.
    const database = await cache.exposition();
    const own = await registry.metrics();
    return reply.type(registry.contentType).send(own.endsWith('\n') || own === '' ? own + database : `${own}\n${database}`);
  });
}
