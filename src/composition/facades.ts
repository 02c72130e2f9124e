import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { sandboxHandsetRoutes } from '../connectors/sandbox/messaging.js';
import { SANDBOX_SHOWCASE } from '../connectors/sandbox/profiles.js';
import { strexRestPlugin } from '../facades/strex/rest.js';
import { strexSoapPlugin } from '../facades/strex/soap.js';
import type { InboundMessages } from '../core/messaging/inbound.js';
import type { MessagingService } from '../core/messaging/service.js';
import type { OutboxDispatcher } from '../core/outbox/service.js';
import type { VerificationService } from '../core/verification/service.js';
import type { Clock } from '../kernel/clock.js';
import type { Msisdn } from '../kernel/msisdn.js';
import type { Metrics } from '../metrics.js';
import { DEMO } from '../seed.js';
import type { Database } from '../storage/db.js';
import { healthRoutes } from '../web/health/routes.js';
import { startPage } from '../web/start/page.js';
import type { ConfirmationsModule } from './confirmations.js';
import type { HttpServer } from './http.js';
import { HttpMerchantNotifier } from '../connectors/http/notifier.js';
import { MsisdnSealer } from '../core/aliases/sealed-msisdn.js';
import { infomediaMoForwarder } from '../facades/infomedia/mo.js';
import { registerHermes } from './hermes.js';
import { inboundModule } from './inbound.js';
import { registerInfomedia, sealingKeys } from './infomedia.js';
import type { MerchantsModule } from './merchants.js';
import type { PaymentsModule } from './payments.js';
import type { SandboxModule } from './sandbox.js';

export interface FacadeDeps {
  config: Config;
  db: Database;
  clock: Clock;
  metrics: Metrics;
  merchants: MerchantsModule;
  sandbox: SandboxModule;
  consent: ConfirmationsModule;
  payments: PaymentsModule;
  verification: VerificationService;
  messaging: MessagingService;
  outbox: OutboxDispatcher;
}

/**
 * One plugin per facade, in this order: metrics first (its hook counts every route after
 * it), health, Strex REST and SOAP, Infomedia, Hermes, then the sandbox's handset pages and the start page.
 */
export async function registerFacades({ http, frameworkErrors }: HttpServer, deps: FacadeDeps): Promise<{ inbound: InboundMessages }> {
  const { config, db } = deps;
  await http.register(deps.metrics.plugin, { bearerToken: config.metricsToken });
  await http.register(healthRoutes, { database: db.kind, ping: () => deps.merchants.platform.ping() });
  await registerStrex(http, deps, frameworkErrors);
  // One set of MX keys and one sealer: Infomedia seals and opens MX values with it; delivery
  // reports and MO forwards carry MX values, told to merchants by one notifier.
  const keys = sealingKeys(config);
  const sealer = new MsisdnSealer(keys);
  const notices = {
    sealer,
    network: async (msisdn: Msisdn) => {
      const [mcc = '', mnc = ''] = (await deps.sandbox.carrier.subscriber(msisdn)).operator.mccMnc.split('-');
      return { mcc, mnc };
    },
    notifier: new HttpMerchantNotifier(),
  };
  await registerInfomedia(http, { ...deps, frameworkErrors, keys, sealer });
  await registerHermes(http, { ...deps, frameworkErrors, notices });
  const inbound = inboundModule({ ...deps, accounts: deps.merchants.accounts.accounts, forwarders: [infomediaMoForwarder(notices)] });
  if (config.sandbox) {
    const { inbox } = deps.sandbox;
    const { confirmations, preauthorization } = deps.consent;
    await http.register(sandboxHandsetRoutes, { prefix: '/sandbox', inbox, prompts: confirmations, consents: preauthorization, inbound, clock: deps.clock });
    // The start page points at the demo credentials and handsets, which only the sandbox has.
    await http.register(startPage, { demo: config.production ? null : demoCredentials(), handsets: SANDBOX_SHOWCASE });
  }
  return { inbound };
}

async function registerStrex(http: FastifyInstance, deps: FacadeDeps, frameworkErrors: HttpServer['frameworkErrors']): Promise<void> {
  const strex = {
    authenticator: deps.merchants.authenticator,
    payments: deps.payments.payments,
    subscribers: deps.payments.subscribers,
    verification: deps.verification,
    preauthorization: deps.consent.preauthorization,
    frameworkErrors,
  };
  await http.register(strexRestPlugin, { prefix: '/restV1.svc', ...strex });
  await http.register(strexSoapPlugin, { prefix: '/soapV1.svc', ...strex });
}

function demoCredentials() {
  return { serviceId: DEMO.strexServiceId, smsServiceId: DEMO.strexSmsServiceId, username: DEMO.username, password: DEMO.password };
}
