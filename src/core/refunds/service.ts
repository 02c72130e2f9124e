import type { Clock } from '../../kernel/clock.js';
import type { Currency } from '../../kernel/money.js';
import { err, ok, type Result } from '../../kernel/result.js';
import type { ServiceContext } from '../merchants/types.js';
import type { PaymentService } from '../payments/service.js';

/** Where a refund's reason is kept: once per payment, the first one written stands. */
export interface RefundReasonRepository {
  record(paymentId: number, reasonCode: string, at: Date): Promise<void>;
}

export type RefundError =
  /** No payment of the endpoint has this key. */
  | { readonly kind: 'not_found' }
  | { readonly kind: 'already_refunded' }
  /** The payment was never paid (failed, or still pending at the operator): there is nothing to give back. */
  | { readonly kind: 'not_paid'; readonly status: string };

export interface Refunded {
  readonly paymentId: number;
  readonly amountMinor: bigint;
  readonly currency: Currency;
}

/**
 * A whole refund of a payment, by the key its endpoint charged it under, through the
 * payments' reversal (the journal and the operator credit are the reversal's), with the
 * reason the endpoint gave. Of two racing refunds the reversal lets one through; the
 * other is already_refunded. The reason is written after the reversal it explains: a
 * crash between the two loses a reason, never a refund.
 */
export class RefundService {
  constructor(private readonly deps: { payments: PaymentService; reasons: RefundReasonRepository; clock: Clock }) {}

  async refund(service: ServiceContext, idempotencyKey: string, reasonCode: string): Promise<Result<Refunded, RefundError>> {
    const payment = await this.deps.payments.status(service, idempotencyKey);
    if (!payment) return err({ kind: 'not_found' });
    if (payment.status === 'reversed') return err({ kind: 'already_refunded' });
    if (payment.status !== 'paid') return err({ kind: 'not_paid', status: payment.status });
    const reversed = await this.deps.payments.reverse(service, payment.paymentId);
    if (!reversed.ok) return reversed.error.kind === 'not_found' ? err({ kind: 'not_found' }) : err({ kind: 'not_paid', status: reversed.error.status });
    if (reversed.value.replayed) return err({ kind: 'already_refunded' });
    await this.deps.reasons.record(payment.paymentId, reasonCode, this.deps.clock.now());
    return ok({ paymentId: payment.paymentId, amountMinor: payment.amountMinor, currency: payment.currency });
  }
}
