import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { secretsEqual } from './kernel/secrets.js';

// RFC 6750: the scheme is case-insensitive, the token one run of non-space characters.
const BEARER_PATTERN = /^Bearer +(\S+) *$/i;

export interface MetricsOptions {
  bearerToken?: string | undefined;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Prometheus metrics: HTTP requests by route and status, payments by outcome, reservation batches. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'opendcb_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'opendcb_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const payments = new Counter({
    name: 'opendcb_payments_total',
    help: 'Charge attempts by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  const reservationBatches = new Histogram({
    name: 'opendcb_reservation_batch_size',
    help: 'Charges reserved together in one statement',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
  const batchFallbacks = new Counter({
    name: 'opendcb_reservation_batch_fallbacks_total',
    help: 'Reservation batches that failed as a whole and were reserved item by item',
    registers: [registry],
  });
  const batchesPerItem = new Counter({
    name: 'opendcb_reservation_batch_per_item_total',
    help: 'Reservation batches the database reserved item by item in their one statement (the unusual ones)',
    registers: [registry],
  });

  return {
    registry,
    observePayment: (outcome: string) => payments.inc({ outcome }),
    observeReservationBatch(size: number, fellBack: boolean, perItem = false) {
      reservationBatches.observe(size);
      if (fellBack) batchFallbacks.inc();
      if (perItem) batchesPerItem.inc();
    },
    /**
     * GET /metrics and the hook that counts every request. Not encapsulated (Fastify's
     * skip-override): the hook belongs to the server, so it counts the routes of every
     * plugin registered after this one. Without a bearerToken, /metrics is open to anyone
     * who reaches the listener.
     */
    plugin: Object.assign(
      async (app: FastifyInstance, options: MetricsOptions) => {
        app.addHook('onResponse', async (request, reply) => {
          const route = request.routeOptions.url ?? 'unmatched';
          requests.inc({ method: request.method, route, status: String(reply.statusCode) });
          latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
        });
        const onRequest = options.bearerToken === undefined ? [] : [requireBearer(options.bearerToken)];
        app.get('/metrics', { onRequest }, async (_request, reply) => {
          reply.type(registry.contentType);
          return registry.metrics();
        });
      },
      { [Symbol.for('skip-override')]: true },
    ),
  };
}

function requireBearer(token: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const given = BEARER_PATTERN.exec(request.headers.authorization ?? '')?.[1];
    if (given !== undefined && secretsEqual(given, token)) return;
    return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').type('text/plain; charset=utf-8').send('Unauthorized\n');
  };
}
