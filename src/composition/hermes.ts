import type { FastifyInstance } from 'fastify';
import type { MessagingService } from '../core/messaging/service.js';
import { ThrottledVerifier } from '../core/merchants/throttled-verifier.js';
import { HERMES_PREFIX, hermesPlugin } from '../facades/hermes/plugin.js';
import type { FrameworkErrorRoutes } from '../facades/shared/framework-errors.js';
import type { Clock } from '../kernel/clock.js';
import type { Database } from '../storage/db.js';
import { SqlLoginThrottleStore } from '../storage/repositories/login-throttle.js';
import type { MerchantsModule } from './merchants.js';

export interface HermesModuleDeps {
  db: Database;
  clock: Clock;
  merchants: MerchantsModule;
  messaging: MessagingService;
  frameworkErrors: FrameworkErrorRoutes;
}

/** Hermes SMS: its digest login (throttled, as every login), its plugin at /hermes/hermes.asmx on the messaging path. */
export async function registerHermes(http: FastifyInstance, deps: HermesModuleDeps): Promise<void> {
  const verifier = new ThrottledVerifier({
    kind: 'shared-secret',
    verify: (username, md5Hash, address) => deps.merchants.accounts.credentials.verifyDigest(username, md5Hash, address),
    throttle: new SqlLoginThrottleStore(deps.db.kysely),
    clock: deps.clock,
  });
  await http.register(hermesPlugin, { prefix: HERMES_PREFIX, verifier, messaging: deps.messaging, frameworkErrors: deps.frameworkErrors });
}
