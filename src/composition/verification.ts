import type { SmsGateway } from '../core/messaging/ports.js';
import type { OutboxDispatcher } from '../core/outbox/service.js';
import { VerificationService } from '../core/verification/service.js';
import type { Clock } from '../kernel/clock.js';
import type { Database } from '../storage/db.js';
import { SqlVerificationRepository } from '../storage/repositories/verification.js';

/** Verification codes by SMS: issued and checked here, sent by the outbox through the gateway. */
export function verificationModule(deps: { db: Database; clock: Clock; outbox: OutboxDispatcher; sms: SmsGateway }): VerificationService {
  const verification = new VerificationService({ codes: new SqlVerificationRepository(deps.db.kysely), clock: deps.clock });
  verification.registerOutboxHandlers(deps.outbox, deps.sms);
  return verification;
}
