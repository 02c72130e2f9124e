import type { Clock } from '../../kernel/clock.js';
import type { CarrierNetwork, DebitRequest } from '../carrier/ports.js';
import { collection, debitReference, operatorAnswerStep, pendingStep } from './decisions.js';
import { askDebitStatus, settleAttempt, settleDebited } from './operator.js';
import type { PaymentRepository, PendingCursor, PendingPayment } from './ports.js';

const SETTLE_BATCH = 100;
/** Young payments are left to the request that is still asking the operator. */
const SETTLE_GRACE_MS = 2_000;
/**
 * How long a payment awaiting confirmation may be without its prompt. The request that
 * reserved it writes the prompt at once; one still without a prompt after this died first.
 */
const UNPROMPTED_CONFIRMATION_MS = 30_000;

/**
 * Settles pending charges whose operator answer was not seen (late operator, crash,
 * timeout) or whose subscriber answered after the request ended.
 */
export class SettlementService {
  /** Where the next settlement batch continues; undefined: from the oldest. */
  #cursor: PendingCursor | undefined;

  constructor(private readonly deps: { carrier: CarrierNetwork; payments: PaymentRepository; clock: Clock }) {}

  /**
   * Settles the next batch of pending charges whose operator answer is now known; returns
   * how many settled. Successive calls walk through all pending payments, in id order, and
   * start over at the end: payments that stay unknown (or keep failing) cannot starve the
   * younger ones. One payment's error does not stop the others; the errors are thrown
   * together once the batch is done.
   */
  async settlePending(): Promise<number> {
    const at = this.deps.clock.now();
    const createdBefore = new Date(at.getTime() - SETTLE_GRACE_MS);
    const pending = await this.deps.payments.listPending({ at, createdBefore, limit: SETTLE_BATCH, after: this.#cursor });
    const last = pending.at(-1);
    this.#cursor = pending.length === SETTLE_BATCH && last ? { paymentId: last.paymentId } : undefined;
    let settled = 0;
    const errors: unknown[] = [];
    for (const payment of pending) {
      try {
        if (await this.settle(payment)) settled += 1;
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} of ${pending.length} pending payments could not be settled`);
    return settled;
  }

  /** Settles one pending payment when its outcome is known; answers whether it settled. */
  async settle(payment: PendingPayment): Promise<boolean> {
    const step = pendingStep(payment, this.deps.clock.now().getTime(), UNPROMPTED_CONFIRMATION_MS);
    if (step === 'leave') return false;
    if (step === 'fail') return (await settleAttempt(this.deps, payment, 'failed')) === 'failed';
    const profile = await this.deps.carrier.subscriber(payment.msisdn);
    // Confirmed, and collected from the invoice: recording it is the charge, no debit was sent.
    if (collection(payment.needsConfirmation, profile.billing) === 'record') {
      return (await settleAttempt(this.deps, payment, 'paid')) === 'paid';
    }
    const request: DebitRequest = {
      reference: debitReference(payment.paymentId, payment.attempt),
      msisdn: payment.msisdn,
      operator: profile.operator,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
    };
    const outcome = await askDebitStatus(this.deps.carrier, request, payment.createdAt);
    switch (operatorAnswerStep(outcome)) {
      case 'leave':
        return false;
      case 'fail':
        return (await settleAttempt(this.deps, payment, 'failed')) === 'failed';
      case 'collect':
        return (await settleDebited(this.deps, payment, request)) === 'paid';
    }
  }
}
