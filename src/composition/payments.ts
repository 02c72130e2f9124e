import type { CarrierNetwork } from '../core/carrier/ports.js';
import type { ConfirmationService } from '../core/confirmations/service.js';
import type { OutboxDispatcher } from '../core/outbox/service.js';
import { PaymentService } from '../core/payments/service.js';
import type { PreAuthorizationService } from '../core/preauthorization/service.js';
import { SubscriberInfoService } from '../core/subscribers/service.js';
import type { VerificationService } from '../core/verification/service.js';
import type { Clock } from '../kernel/clock.js';
import type { Metrics } from '../metrics.js';
import type { Database } from '../storage/db.js';
import { SqlChargePinRepository } from '../storage/repositories/charge-pins.js';
import { SqlPaymentRepository } from '../storage/repositories/payments.js';
import type { SqlPlatformRepository } from '../storage/repositories/platform.js';

/** Charging, reversal and settlement, and what a subscriber may spend (user information). */
export interface PaymentsModule {
  payments: PaymentService;
  subscribers: SubscriberInfoService;
}

export function paymentsModule(deps: {
  db: Database;
  clock: Clock;
  metrics: Metrics;
  carrier: CarrierNetwork;
  verification: VerificationService;
  confirmations: ConfirmationService;
  preauthorization: PreAuthorizationService;
  platform: SqlPlatformRepository;
  outbox: OutboxDispatcher;
}): PaymentsModule {
  const { db, clock, metrics, carrier, verification } = deps;
  const payments = new PaymentService({
    carrier,
    verifiedMsisdns: verification,
    confirmations: deps.confirmations,
    tokens: deps.preauthorization,
    payments: new SqlPaymentRepository(db, { observeBatch: metrics.observeReservationBatch }),
    pins: new SqlChargePinRepository(db),
    clock,
    observe: metrics.observePayment,
  });
  payments.registerOutboxHandlers(deps.outbox);
  const subscribers = new SubscriberInfoService({ carrier, spending: payments, blocklist: deps.platform, verifiedMsisdns: verification, clock });
  return { payments, subscribers };
}
