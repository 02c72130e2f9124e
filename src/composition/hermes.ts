import type { FastifyInstance } from 'fastify';
import { HttpMerchantNotifier } from '../connectors/http/notifier.js';
import { MsisdnSealer, type SealingKey } from '../core/aliases/sealed-msisdn.js';
import type { CarrierNetwork } from '../core/carrier/ports.js';
import type { MessagingService } from '../core/messaging/service.js';
import type { OutboxDispatcher } from '../core/outbox/service.js';
import { ThrottledVerifier } from '../core/merchants/throttled-verifier.js';
import { HERMES_PREFIX, hermesPlugin } from '../facades/hermes/plugin.js';
import { hermesReportHandler, REPORT_RETRY_WINDOW_MS } from '../facades/hermes/reports.js';
import type { FrameworkErrorRoutes } from '../facades/shared/framework-errors.js';
import type { Clock } from '../kernel/clock.js';
import type { Database } from '../storage/db.js';
import { SqlLoginThrottleStore } from '../storage/repositories/login-throttle.js';
import type { MerchantsModule } from './merchants.js';

export interface HermesModuleDeps {
  /** The Infomedia facade's MX keys: a report's MX opens with the partner's DecryptMX. */
  keys: readonly SealingKey[];
  db: Database;
  outbox: OutboxDispatcher;
  /** Where a reported number's network (MCC, MNC) is read. */
  carrier: CarrierNetwork;
  clock: Clock;
  merchants: MerchantsModule;
  messaging: MessagingService;
  frameworkErrors: FrameworkErrorRoutes;
}

/**
 * Hermes SMS: its digest login (throttled, as every login), its plugin at /hermes/hermes.asmx
 * on the messaging path, and its delivery reports: the outbox's message.reported events,
 * sent to the account's dlrUrl, retried for a day, then dead letters.
 */
export async function registerHermes(http: FastifyInstance, deps: HermesModuleDeps): Promise<void> {
  const verifier = new ThrottledVerifier({
    kind: 'shared-secret',
    verify: (username, md5Hash, address) => deps.merchants.accounts.credentials.verifyDigest(username, md5Hash, address),
    throttle: new SqlLoginThrottleStore(deps.db.kysely),
    clock: deps.clock,
  });
  const { accounts } = deps.merchants.accounts;
  deps.outbox.on(
    'message.reported',
    hermesReportHandler({
      endpoint: (endpointId) => accounts.findEndpoint(endpointId),
      endpoints: async (merchantId) => {
        const listed = await accounts.listEndpoints(merchantId);
        return listed.ok ? listed.value : [];
      },
      sealer: new MsisdnSealer(deps.keys),
      operator: async (msisdn) => (await deps.carrier.subscriber(msisdn)).operator,
      notifier: new HttpMerchantNotifier(),
    }),
    { giveUpAfterMs: REPORT_RETRY_WINDOW_MS },
  );
  await http.register(hermesPlugin, { prefix: HERMES_PREFIX, verifier, messaging: deps.messaging, frameworkErrors: deps.frameworkErrors });
}
