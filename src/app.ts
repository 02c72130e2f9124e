import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';
import { SandboxHandsets } from './connectors/sandbox/confirmations.js';
import { SandboxNetwork } from './connectors/sandbox/network.js';
import { SANDBOX_SHOWCASE } from './connectors/sandbox/profiles.js';
import { ConfirmationService } from './core/confirmations/service.js';
import { PreAuthorizationService } from './core/preauthorization/service.js';
import { SqlAuthorizationTokenRepository } from './storage/repositories/authorization-tokens.js';
import { SqlConfirmationRepository } from './storage/repositories/confirmations.js';
import { PasswordAuthenticator } from './core/merchants/authentication.js';
import { MerchantService } from './core/merchants/service.js';
import { OutboxDispatcher } from './core/outbox/service.js';
import { PaymentService } from './core/payments/service.js';
import { SubscriberInfoService } from './core/subscribers/service.js';
import { VerificationService } from './core/verification/service.js';
import { SandboxSmsGateway, sandboxHandsetRoutes } from './connectors/sandbox/messaging.js';
import { SqlSandboxMessages } from './storage/repositories/sandbox-messages.js';
import { SqlVerificationRepository } from './storage/repositories/verification.js';
import { FrameworkErrorRoutes } from './facades/shared/framework-errors.js';
import { strexRestPlugin } from './facades/strex/rest.js';
import { strexSoapPlugin } from './facades/strex/soap.js';
import { loginThrottlePruneJob } from './jobs/login-throttle-prune.js';
import { outboxDeliveryJob } from './jobs/outbox-delivery.js';
import { settlementJob } from './jobs/settlement.js';
import { startWorker, type Worker } from './jobs/worker.js';
import { type Clock, systemClock } from './kernel/clock.js';
import { loggerOptions } from './logging.js';
import { createMetrics } from './metrics.js';
import { DEMO, seedDemoData } from './seed.js';
import { startPage } from './web/start/page.js';
import { type Database, openDatabase } from './storage/db.js';
import { migrate } from './storage/migrate.js';
import { SqlLoginThrottleStore } from './storage/repositories/login-throttle.js';
import { SqlMerchantRepository } from './storage/repositories/merchants.js';
import { SqlOutboxRepository } from './storage/repositories/outbox.js';
import { SqlPaymentRepository } from './storage/repositories/payments.js';
import { SqlPlatformRepository } from './storage/repositories/platform.js';
import { SqlSandboxPrepaidStore } from './storage/repositories/sandbox-prepaid.js';

const BODY_LIMIT_BYTES = 64 * 1024;
const REQUEST_TIMEOUT_MS = 120_000;

/** How long a job that found nothing waits before it looks again. */
const IDLE_POLL_MS = 500;

/** The composed platform: database, core services, HTTP server, background worker. */
export interface OpenDcb {
  http: FastifyInstance;
  db: Database;
  merchants: MerchantService;
  payments: PaymentService;
  preauthorization: PreAuthorizationService;
  outbox: OutboxDispatcher;
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
  const merchantRepository = new SqlMerchantRepository(db.kysely);
  const merchants = new MerchantService(merchantRepository);
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
  const authenticator = new PasswordAuthenticator({ credentials: merchantRepository, throttle: new SqlLoginThrottleStore(db.kysely), clock });
  const outbox = new OutboxDispatcher(new SqlOutboxRepository(db.kysely), clock);
  payments.registerOutboxHandlers(outbox);
  const sandboxInbox = new SqlSandboxMessages(db.kysely);
  verification.registerOutboxHandlers(outbox, new SandboxSmsGateway(sandboxInbox));

  // A URL Fastify cannot decode is answered by the facade that owns its prefix.
  const frameworkErrors = new FrameworkErrorRoutes();
  const http = Fastify({
    logger: options.logger === false ? false : loggerOptions(config.logLevel, options.logStream),
    // Per-request log lines cost a tenth of the throughput; metrics count requests instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: trustProxyOption(config.trustProxy),
    requestTimeout: REQUEST_TIMEOUT_MS,
    // The vendor's WCF routes match case-insensitively: /RestV1.svc and /restv1.svc alike.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    frameworkErrors: frameworkErrors.handle,
  }).withTypeProvider<TypeBoxTypeProvider>();
  metrics.install(http, { bearerToken: config.metricsToken });
  // Answers given while stopping close their connection: a keep-alive connection left idle
  // after the listener closed would hold the process until its keep-alive timeout.
  let stopping = false;
  http.addHook('onSend', (_request, reply, payload, done) => {
    if (stopping) reply.header('connection', 'close');
    done(null, payload);
  });
  http.get('/healthz', async (_request, reply) => {
    try {
      await platform.ping();
      return { status: 'ok', database: db.kind };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: db.kind });
    }
  });
  const strex = { authenticator, payments, subscribers, verification, preauthorization, frameworkErrors };
  await http.register(strexRestPlugin, { prefix: '/restV1.svc', ...strex });
  await http.register(strexSoapPlugin, { prefix: '/soapV1.svc', ...strex });
  if (config.sandbox) {
    await http.register(sandboxHandsetRoutes, { prefix: '/sandbox', inbox: sandboxInbox, prompts: confirmations, consents: preauthorization, clock });
    // The start page points at the demo credentials and handsets, which only the sandbox has.
    await http.register(startPage, { demo: config.production ? null : demoCredentials(), handsets: SANDBOX_SHOWCASE });
  }

  let worker: Worker | undefined;
  const startBackgroundWork = () => {
    const jobs = [outboxDeliveryJob(outbox, IDLE_POLL_MS), settlementJob(payments, IDLE_POLL_MS), loginThrottlePruneJob(authenticator)];
    worker ??= startWorker(jobs, (error, job) => http.log.error({ err: error, job }, 'background work failed'));
  };
  return {
    http,
    db,
    merchants,
    payments,
    preauthorization,
    outbox,
    async listen() {
      const address = await bind(http, config.port, config.host);
      // Only once the port is ours: a server that cannot listen must not work in the background.
      if (config.workers) startBackgroundWork();
      return address;
    },
    startWorker: startBackgroundWork,
    async close() {
      // New requests are refused from here on (503); the waiting ones get their answer
      // (or their in-progress fault once the grace is over) before the listener closes;
      // then the worker, and the database last.
      stopping = true;
      const closing = http.close();
      const { abandoned } = await confirmations.shutdown(config.shutdownGraceMs);
      handsets.stop();
      await closing;
      await worker?.stop();
      await db.close();
      return { abandonedConfirmations: abandoned };
    },
  };
}

/** A hop count becomes proxy-addr's function form: the nearest n hops are trusted proxies. */
function trustProxyOption(trust: Config['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return (_address, hop) => hop < trust;
}

// Why a listen fails, in the operator's terms; other errors pass through as they are.
const LISTEN_FAILURES: Record<string, (port: number, host: string) => string> = {
  EADDRINUSE: (port, host) => `Port ${port} on ${host} is already in use: stop what holds it, or set another PORT (or HOST)`,
  EACCES: (port, host) => `Port ${port} on ${host} needs privileges this process does not have: set a PORT above 1023`,
  EADDRNOTAVAIL: (port, host) => `Cannot listen on port ${port}: HOST ${host} is not an address of this machine`,
  ENOTFOUND: (port, host) => `Cannot listen on port ${port}: HOST ${host} does not resolve`,
};

async function bind(http: FastifyInstance, port: number, host: string): Promise<string> {
  try {
    return await http.listen({ port, host });
  } catch (error) {
    const describe = LISTEN_FAILURES[(error as NodeJS.ErrnoException).code ?? ''];
    throw describe ? new Error(describe(port, host), { cause: error }) : error;
  }
}

function demoCredentials() {
  return { serviceId: DEMO.strexServiceId, smsServiceId: DEMO.strexSmsServiceId, username: DEMO.username, password: DEMO.password };
}
