import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import { SandboxHandsets } from './connectors/sandbox/confirmations.js';
import { SandboxNetwork } from './connectors/sandbox/network.js';
import { SANDBOX_SHOWCASE } from './connectors/sandbox/profiles.js';
import { ConfirmationService } from './core/confirmations/service.js';
import { PreAuthorizationService } from './core/preauthorization/service.js';
import { SqlAuthorizationTokenRepository } from './storage/repositories/authorization-tokens.js';
import { SqlConfirmationRepository } from './storage/repositories/confirmations.js';
import { MerchantService } from './core/merchants/service.js';
import { OutboxDispatcher } from './core/outbox/service.js';
import { PaymentService } from './core/payments/service.js';
import { SubscriberInfoService } from './core/subscribers/service.js';
import { VerificationService } from './core/verification/service.js';
import { SandboxSmsGateway, sandboxHandsetRoutes } from './connectors/sandbox/messaging.js';
import { SqlSandboxMessages } from './storage/repositories/sandbox-messages.js';
import { SqlVerificationRepository } from './storage/repositories/verification.js';
import { strexRestPlugin } from './facades/strex/rest.js';
import { strexSoapPlugin } from './facades/strex/soap/plugin.js';
import { startWorker, type Worker } from './jobs/worker.js';
import { type Clock, systemClock } from './kernel/clock.js';
import { createMetrics } from './metrics.js';
import { DEMO, seedDemoData } from './seed.js';
import { startPage } from './web/start/page.js';
import { type Database, openDatabase } from './storage/db.js';
import { migrate } from './storage/migrate.js';
import { SqlMerchantRepository } from './storage/repositories/merchants.js';
import { SqlOutboxRepository } from './storage/repositories/outbox.js';
import { SqlPaymentRepository } from './storage/repositories/payments.js';
import { SqlPlatformRepository } from './storage/repositories/platform.js';
import { SqlSandboxPrepaidStore } from './storage/repositories/sandbox-prepaid.js';

const BODY_LIMIT_BYTES = 64 * 1024;
const REQUEST_TIMEOUT_MS = 120_000;

/** The composed platform: database, core services, HTTP server, background worker. */
export interface OpenDcb {
  http: FastifyInstance;
  db: Database;
  merchants: MerchantService;
  payments: PaymentService;
  preauthorization: PreAuthorizationService;
  outbox: OutboxDispatcher;
  /** Starts the background worker (when configured) and listens. Returns the bound address. */
  listen(): Promise<string>;
  /** Starts only the background worker (opendcb worker): no HTTP listener. */
  startWorker(): void;
  close(): Promise<void>;
}

export interface BuildOptions {
  clock?: Clock;
  /** Replaces pino's output (tests pass false to keep quiet). */
  logger?: boolean;
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<OpenDcb> {
  const clock = options.clock ?? systemClock;
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  try {
    await migrate(db);
    return await compose(config, db, clock, options);
  } catch (error) {
    await db.close();
    throw error;
  }
}

async function compose(config: Config, db: Database, clock: Clock, options: BuildOptions): Promise<OpenDcb> {
  const platform = new SqlPlatformRepository(db.kysely);
  const merchants = new MerchantService(new SqlMerchantRepository(db.kysely));
  if (!config.sandbox) throw new Error('SANDBOX=false needs a real operator connector; none is configured yet');
  if (config.production && (await platform.hasDemoData())) {
    throw new Error('Refusing to start in production with the demo merchant present: remove it or unset NODE_ENV=production');
  }
  if (!config.production) await db.exclusively(() => seedDemoData(merchants, platform));

  const metrics = createMetrics();
  const paymentRepository = new SqlPaymentRepository(db, { observeBatch: metrics.observeReservationBatch });
  const carrier = new SandboxNetwork(new SqlSandboxPrepaidStore(db.kysely), clock);
  const handsets = new SandboxHandsets();
  const confirmations = new ConfirmationService({
    requests: new SqlConfirmationRepository(db.kysely),
    prompter: handsets,
    clock,
    timeoutMs: config.confirmationTimeoutMs,
  });
  handsets.answerWith((id, msisdn, answer) => confirmations.answer(id, msisdn, answer));
  const preauthorization = new PreAuthorizationService({
    carrier,
    confirmations,
    tokens: new SqlAuthorizationTokenRepository(db.kysely),
    clock,
  });
  const verification = new VerificationService({ codes: new SqlVerificationRepository(db.kysely), clock });
  const payments = new PaymentService({
    carrier,
    verifiedMsisdns: verification,
    confirmations,
    tokens: preauthorization,
    payments: paymentRepository,
    clock,
    observe: metrics.observePayment,
  });
  const subscribers = new SubscriberInfoService({ carrier, spending: payments, blocklist: platform, verifiedMsisdns: verification, clock });
  const outbox = new OutboxDispatcher(new SqlOutboxRepository(db.kysely));
  payments.registerOutboxHandlers(outbox);
  const sandboxInbox = new SqlSandboxMessages(db.kysely);
  verification.registerOutboxHandlers(outbox, new SandboxSmsGateway(sandboxInbox));

  const http = Fastify({
    logger: options.logger === false ? false : { level: config.logLevel, redact: ['req.headers.authorization'] },
    // Per-request log lines cost a tenth of the throughput; metrics count requests instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // The vendor's WCF routes match case-insensitively: /RestV1.svc and /restv1.svc alike.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();
  metrics.install(http);
  http.get('/healthz', async (_request, reply) => {
    try {
      await platform.ping();
      return { status: 'ok', database: db.kind };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: db.kind });
    }
  });
  const strex = { merchants, payments, subscribers, verification, preauthorization };
  await http.register(strexRestPlugin, { prefix: '/restV1.svc', ...strex });
  await http.register(strexSoapPlugin, { prefix: '/soapV1.svc', ...strex });
  if (config.sandbox) {
    await http.register(sandboxHandsetRoutes, { prefix: '/sandbox', inbox: sandboxInbox, prompts: confirmations, consents: preauthorization, clock });
    // The start page points at the demo credentials and handsets, which only the sandbox has.
    await http.register(startPage, { demo: config.production ? null : demoCredentials(), handsets: SANDBOX_SHOWCASE });
  }

  let worker: Worker | undefined;
  const startBackgroundWork = () => {
    worker ??= startWorker({ outbox, payments }, (error) => http.log.error({ err: error }, 'background work failed'));
  };
  return {
    http,
    db,
    merchants,
    payments,
    preauthorization,
    outbox,
    async listen() {
      if (config.workers) startBackgroundWork();
      return http.listen({ port: config.port, host: config.host });
    },
    startWorker: startBackgroundWork,
    async close() {
      // In-flight requests finish first; then the worker; the database last.
      await http.close();
      await worker?.stop();
      await db.close();
    },
  };
}

function demoCredentials() {
  return { serviceId: DEMO.strexServiceId, smsServiceId: DEMO.strexSmsServiceId, username: DEMO.username, password: DEMO.password };
}
