import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
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

  const sms = messagingMetrics(registry);
  const watchDeadLetters = scrapedGauge(
    registry,
    'opendcb_outbox_dead_letters',
    'Outbox events given up on (a merchant server down past its topic\'s retry window): opendcb outbox dead lists them',
  );
  // Read in milliseconds, shown in seconds.
  const watchRollupLag = scrapedGauge(
    registry,
    'opendcb_ledger_rollup_lag_seconds',
    'Age of the oldest ledger transfer not yet rolled up into its accounts\' balances (0: none); it grows while the rollup is held back',
    1000,
  );

  return {
    registry,
    ...sms,
    /** Where the dead letters are counted when metrics are scraped. */
    watchDeadLetters,
    /** Where the ledger rollup's lag (milliseconds) is read when metrics are scraped. */
    watchRollupLag,
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

/**
 * A gauge read from the database when metrics are scraped: the returned function names the
 * read (0 until it does); divisor turns what it reads into the gauge's unit.
 */
function scrapedGauge(registry: Registry, name: string, help: string, divisor = 1): (read: () => Promise<number>) => void {
  let read: () => Promise<number> = async () => 0;
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      this.set((await read()) / divisor);
    },
  });
  return (next) => {
    read = next;
  };
}

/** SMS: queue depth, submissions, receipts and their latency, failures by reason. */
function messagingMetrics(registry: Registry) {
  const watchSmsQueue = scrapedGauge(registry, 'opendcb_sms_queue_depth', 'Messages stored and not yet submitted (scheduled ones included)');
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry] });
  const queued = counter('opendcb_sms_queued_total', 'Messages stored for sending');
  const submitted = counter('opendcb_sms_submitted_total', 'Messages the SMSC accepted (their ids stored)');
  const submitPdus = counter('opendcb_smpp_submit_sm_total', 'submit_sm the SMSC accepted (one per part)');
  const throttled = counter('opendcb_smpp_throttled_total', 'submit_sm answered ESME_RTHROTTLED or ESME_RMSGQFUL');
  const reconnects = counter('opendcb_smpp_reconnects_total', 'SMPP sessions opened again after a loss');
  const receipts = new Counter({
    name: 'opendcb_sms_receipts_total',
    help: 'Delivery receipts by outcome (delivered, failed, expired, unmatched, duplicate)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'opendcb_sms_failures_total',
    help: 'Messages that failed or expired, and submissions that failed for now, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const receiptLatency = new Histogram({
    name: 'opendcb_sms_receipt_latency_seconds',
    help: 'From an accepted submit_sm to its delivery receipt',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600, 3600],
    registers: [registry],
  });
  return {
    /** Where the queue depth is read when metrics are scraped. */
    watchSmsQueue,
    messagingObserver: {
      queued: (count: number) => queued.inc(count),
      submitted: (count: number) => submitted.inc(count),
      // Reasons are the connector's words (a status code, a stat word): a bounded set.
      failed: (reason: string) => failures.inc({ reason: reason.slice(0, 40) }),
      receipt: (outcome: string) => receipts.inc({ outcome }),
    },
    smppObserver: {
      submitted: () => submitPdus.inc(),
      throttled: () => throttled.inc(),
      reconnected: () => reconnects.inc(),
      receiptLatency: (seconds: number) => receiptLatency.observe(seconds),
    },
  };
}

function requireBearer(token: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const given = BEARER_PATTERN.exec(request.headers.authorization ?? '')?.[1];
    if (given !== undefined && secretsEqual(given, token)) return;
    return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').type('text/plain; charset=utf-8').send('Unauthorized\n');
  };
}
