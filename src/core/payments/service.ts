import { assert } from '../../kernel/assert.js';
import type { Clock } from '../../kernel/clock.js';
import { monthPeriod, yearPeriod } from '../../kernel/clock.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { err, ok, type Result } from '../../kernel/result.js';
import type { CarrierCreditPayload, PaymentEventPayload } from '../outbox/catalogue.js';
import type { ServiceContext } from '../merchants/types.js';
import type { OutboxDispatcher } from '../outbox/service.js';
import { type ChargingDeps, ChargingService } from './charging.js';
import type { ReverseError } from './errors.js';
import { SettlementService } from './settlement.js';
import type { ChargeCommand, ChargeError, ChargeReceipt, PaymentView } from './types.js';

export type PaymentServiceDeps = ChargingDeps & { clock: Clock };

/**
 * Payments as the facades see them: charging (charging.ts, with confirmation.ts and
 * debit.ts), settlement of what stayed pending (settlement.ts), reversals and status.
 * The decisions are pure functions in decisions.ts.
 */
export class PaymentService {
  readonly #charging: ChargingService;
  readonly #settlement: SettlementService;

  constructor(private readonly deps: PaymentServiceDeps) {
    this.#charging = new ChargingService(deps);
    this.#settlement = new SettlementService(deps);
  }

  charge(service: ServiceContext, command: ChargeCommand): Promise<Result<ChargeReceipt, ChargeError>> {
    return this.#charging.charge(service, command);
  }

  /** Status by the charge's key; a pending payment is settled first when the operator knows. */
  async status(service: ServiceContext, idempotencyKey: string): Promise<PaymentView | null> {
    const payment = await this.deps.payments.findByReference(service.serviceId, idempotencyKey, this.deps.clock.now());
    if (payment?.status !== 'pending') return payment;
    await this.#settlement.settle(payment);
    return this.deps.payments.findByReference(service.serviceId, idempotencyKey, this.deps.clock.now());
  }

  /** Reverses a paid payment whole; a second reversal is answered as the first, marked replayed (one of two racing reversals is). */
  async reverse(service: ServiceContext, paymentId: number): Promise<Result<{ paymentId: number; replayed: boolean }, ReverseError>> {
    if (!Number.isSafeInteger(paymentId) || paymentId <= 0) return err({ kind: 'not_found', paymentId });
    const outcome = await this.deps.payments.reverse(service.serviceId, paymentId, this.deps.clock.now());
    switch (outcome.kind) {
      case 'reversed':
      case 'already_reversed':
        return ok({ paymentId, replayed: outcome.kind === 'already_reversed' });
      case 'not_found':
        return err({ kind: 'not_found', paymentId });
      case 'not_paid':
        return err({ kind: 'not_paid', paymentId, status: outcome.status });
    }
  }

  /** Settles the next batch of pending charges (SettlementService.settlePending). */
  settlePending(): Promise<number> {
    return this.#settlement.settlePending();
  }

  /** Subscribes the carrier-facing consequences of ledger events to the outbox. */
  registerOutboxHandlers(dispatcher: OutboxDispatcher): void {
    const credit = (payload: CarrierCreditPayload | PaymentEventPayload) => {
      assert(payload.debitReference !== undefined, 'a payment event that gives money back names its debit');
      return this.deps.carrier.credit({
        reference: payload.debitReference,
        msisdn: payload.msisdn as Msisdn,
        amountMinor: BigInt(payload.amountMinor),
        currency: payload.currency,
      });
    };
    dispatcher.on('carrier.credit', credit);
    dispatcher.on('payment.reversed', credit);
  }

  /** What a subscriber spent in the given periods (for limit reporting). */
  async spent(msisdn: Msisdn, currency: ServiceContext['currency'], at: Date): Promise<{ monthMinor: bigint; yearMinor: bigint }> {
    const [month, year] = [monthPeriod(at), yearPeriod(at)];
    const spent = await this.deps.payments.spentInPeriods(msisdn, currency, [month, year]);
    return { monthMinor: spent.get(month) ?? 0n, yearMinor: spent.get(year) ?? 0n };
  }
}
