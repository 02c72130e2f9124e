import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { confirmationsModule } from './composition/confirmations.js';
import { registerFacades } from './composition/facades.js';
import { bind, httpServer } from './composition/http.js';
import { jobsModule } from './composition/jobs.js';
import { ledgerModule } from './composition/ledger.js';
import { merchantsModule } from './composition/merchants.js';
import { messagingModule } from './composition/messaging.js';
import { outboxModule } from './composition/outbox.js';
import { paymentsModule } from './composition/payments.js';
import { sandboxModule } from './composition/sandbox.js';
import { openStorage } from './composition/storage.js';
import { verificationModule } from './composition/verification.js';
import type { Config } from './config.js';
import type { LedgerService } from './core/ledger/service.js';
import type { InboundMessages } from './core/messaging/inbound.js';
import type { MerchantService } from './core/merchants/service.js';
import type { OutboxDispatcher } from './core/outbox/service.js';
import type { PaymentService } from './core/payments/service.js';
import type { PreAuthorizationService } from './core/preauthorization/service.js';
import { type Clock, systemClock } from './kernel/clock.js';
import { createMetrics } from './metrics.js';
import type { Database } from './storage/db.js';

/** The composed platform: database, core services, HTTP server, background worker. */
export interface OpenDcb {
  http: FastifyInstance;
  db: Database;
  merchants: MerchantService;
  payments: PaymentService;
  preauthorization: PreAuthorizationService;
  outbox: OutboxDispatcher;
  ledger: LedgerService;
  /** Messages from subscribers: where keyword hooks (STOP) are registered. */
  inbound: InboundMessages;
  /**
   * Listens, then starts the background worker (when configured). Returns the bound address;
   * rejects with a message naming PORT and HOST when the address cannot be bound.
   */
  listen(): Promise<string>;
  /** Starts only the background worker (opendcb worker): no HTTP listener. */
  startWorker(): void;
  /** Stops: new requests refused, waits for subscribers ended (after the grace), worker, database. */
  close(): Promise<ShutdownReport>;
}

export interface ShutdownReport {
  /** Pays and PreAuthorizes whose wait for the subscriber was ended unanswered (each got its fault). */
  abandonedConfirmations: number;
}

export interface BuildOptions {
  clock?: Clock;
  /** false: no log output at all (tests keep quiet). */
  logger?: boolean;
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: DestinationStream;
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<OpenDcb> {
  const clock = options.clock ?? systemClock;
  const db = await openStorage(config);
  try {
    return await compose(config, db, clock, options);
  } catch (error) {
    await db.close();
    throw error;
  }
}

/**
 * The composition root: one module per domain (src/composition/), each a function of the
 * dependencies it needs, then one plugin per facade. Order matters only where a module
 * takes another's services.
 */
async function compose(config: Config, db: Database, clock: Clock, options: BuildOptions): Promise<OpenDcb> {
  const sandbox = sandboxModule({ config, db, clock });
  const merchants = await merchantsModule({ config, db, clock });
  const metrics = createMetrics();
  const consent = confirmationsModule({ config, db, clock, carrier: sandbox.carrier, handsets: sandbox.handsets });
  const outbox = outboxModule({ db, clock });
  metrics.watchDeadLetters(() => outbox.deadLetterCount());
  const messaging = messagingModule({ config, db, clock, metrics, inbox: sandbox.inbox });
  const verification = verificationModule({ db, clock, outbox, sms: messaging });
  const payments = paymentsModule({ db, clock, metrics, carrier: sandbox.carrier, ...consent, verification, platform: merchants.platform, outbox });

  const server = httpServer(config, options);
  const { http } = server;
  const { inbound } = await registerFacades(server, { config, db, clock, metrics, merchants, sandbox, consent, payments, verification, messaging, outbox });
  // Bound only now: an MO that arrives finds its listener (the inbound module, registered with the facades).
  await messaging.start();
  const ledger = ledgerModule({ db, clock });
  metrics.watchRollupLag(() => ledger.rollupLagMs());
  const jobs = jobsModule({
    outbox,
    payments: payments.payments,
    authenticator: merchants.authenticator,
    messaging,
    ledger,
    onError: (error, job) => http.log.error({ err: error, job }, 'background work failed'),
  });
  return {
    http,
    db,
    merchants: merchants.merchants,
    payments: payments.payments,
    preauthorization: consent.preauthorization,
    outbox,
    ledger,
    inbound,
    async listen() {
      const address = await bind(http, config.port, config.host);
      // Only once the port is ours: a server that cannot listen must not work in the background.
      if (config.workers) jobs.start();
      return address;
    },
    startWorker: jobs.start,
    async close() {
      // New requests are refused from here on (503); the waiting ones get their answer
      // (or their in-progress fault once the grace is over) before the listener closes;
      // then the worker, and the database last.
      server.closeConnections();
      const closing = http.close();
      const { abandoned } = await consent.confirmations.shutdown(config.shutdownGraceMs);
      sandbox.handsets.stop();
      await closing;
      await jobs.stop();
      await messaging.stop();
      await db.close();
      return { abandonedConfirmations: abandoned };
    },
  };
}
