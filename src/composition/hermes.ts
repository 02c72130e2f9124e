import type { FastifyInstance } from 'fastify';
import type { MessagingService } from '../core/messaging/service.js';
import type { OutboxDispatcher } from '../core/outbox/service.js';
import { ThrottledVerifier } from '../core/merchants/throttled-verifier.js';
import { HERMES_PREFIX, hermesPlugin } from '../facades/hermes/plugin.js';
import { hermesReportHandler, REPORT_RETRY_WINDOW_MS, type ReportDeps } from '../facades/hermes/reports.js';
import type { FrameworkErrorRoutes } from '../facades/shared/framework-errors.js';
import type { Clock } from '../kernel/clock.js';
import type { Database } from '../storage/db.js';
import { SqlLoginThrottleStore } from '../storage/repositories/login-throttle.js';
import type { MerchantsModule } from './merchants.js';

export interface HermesModuleDeps {
  /** What telling a merchant takes (shared with the MO forward): the Infomedia facade's sealer, so a report's MX opens with the partner's DecryptMX. */
  notices: Omit<ReportDeps, 'endpoints'>;
  db: Database;
  outbox: OutboxDispatcher;
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
      ...deps.notices,
      endpoints: async (merchantId) => {
        const listed = await accounts.listEndpoints(merchantId);
        return listed.ok ? listed.value : [];
      },
    }),
    { giveUpAfterMs: REPORT_RETRY_WINDOW_MS },
  );
  await http.register(hermesPlugin, { prefix: HERMES_PREFIX, verifier, messaging: deps.messaging, frameworkErrors: deps.frameworkErrors });
}
