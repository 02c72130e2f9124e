import { assert } from '../../kernel/assert.js';
import type { Clock } from '../../kernel/clock.js';
import { monthPeriod, yearPeriod } from '../../kernel/clock.js';
import { assertAmountMinor, formatMinor } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { err, ok, type Result } from '../../kernel/result.js';
import { sha256Hex } from '../../kernel/secrets.js';
import { withTimeout } from '../../kernel/timeout.js';
import type { ConfirmationService } from '../confirmations/service.js';
import type { CarrierNetwork, CreditRequest, DebitOutcome, DebitRequest, SubscriberProfile } from '../carrier/ports.js';
import { checkPrice, checkSubscriber } from '../limits/rules.js';
import type { ServiceContext } from '../merchants/types.js';
import type { OutboxEvent } from '../outbox/ports.js';
import type { OutboxDispatcher } from '../outbox/service.js';
import { type VerifiedMsisdns, verificationViolation } from '../verification/requirement.js';
import type { ChargeObserver, ChargeRecord, PaymentRepository, PendingCursor, PendingPayment } from './ports.js';
import type { ChargeCommand, ChargeError, ChargeReceipt, PaymentView, ReverseError } from './types.js';

const SETTLE_BATCH = 100;
const SETTLE_GRACE_MS = 2_000;
/**
 * How long a payment awaiting confirmation may be without its prompt. The request that
 * reserved it writes the prompt at once; one still without a prompt after this died first.
 */
const UNPROMPTED_CONFIRMATION_MS = 30_000;
/** How long a Pay waits for the operator before answering "in progress". */
const OPERATOR_TIMEOUT_MS = 20_000;
const CARRIER_CREDIT_TOPIC = 'carrier.credit';

export interface PaymentServiceDeps {
  carrier: CarrierNetwork;
  /** Asks the subscriber to confirm (SecurityLevel 2); without it such charges are refused. */
  confirmations?: Pick<ConfirmationService, 'confirm'>;
  /** Checks PreAuthorize tokens; without it a charge with a token is refused. */
  tokens?: { isValid(service: ServiceContext, msisdn: Msisdn, token: string): Promise<boolean> };
  /** Answers for services that require verified MSISDNs; without it such services charge nobody. */
  verifiedMsisdns?: VerifiedMsisdns;
  payments: PaymentRepository;
  clock: Clock;
  observe?: ChargeObserver;
}

/**
 * Charges, reversals and status of direct carrier billing payments.
 *
 * A charge is reserved first, in one statement that enforces idempotency on the
 * ClientReference, the platform blocklist and the period spend limits. A charge the
 * operator collects on the subscriber's invoice is complete with that statement. One it
 * must debit online is then sent to the operator (idempotent on payment id + attempt),
 * and a second statement settles it as paid or failed. No money moves without a record:
 * if the process dies in between, settlement asks the operator what became of the debit.
 */
export class PaymentService {
  /** Where the next settlement batch continues; undefined: from the oldest. */
  #settleCursor: PendingCursor | undefined;

  constructor(private readonly deps: PaymentServiceDeps) {}

  async charge(service: ServiceContext, command: ChargeCommand): Promise<Result<ChargeReceipt, ChargeError>> {
    const result = await this.#charge(service, command);
    this.deps.observe?.(result.ok ? (result.value.replayed ? 'replayed' : 'paid') : result.error.kind);
    return result;
  }

  async #charge(service: ServiceContext, command: ChargeCommand): Promise<Result<ChargeReceipt, ChargeError>> {
    assertAmountMinor(command.amountMinor);
    if (command.securityLevel === 'pin' || (needsConfirmation(command) && !this.deps.confirmations)) {
      return err({ kind: 'not_supported', message: 'SecurityLevel 3 (Pin) is not supported' });
    }
    const priceViolation = checkPrice(command.amountMinor, command.serviceCode, command.businessModel);
    if (priceViolation) return err(priceViolation);
    const profile = await this.deps.carrier.subscriber(command.msisdn);
    const refusal = await this.#admissionRefusal(service, command, profile);
    if (refusal) return this.#replayOr(service, command, refusal);

    const reserved = await this.deps.payments.reserveCharge(this.#record(service, command, profile));
    switch (reserved.kind) {
      case 'duplicate':
        return ok(receipt(command, reserved.paymentId, true));
      case 'conflict':
        return err({
          kind: 'reference_conflict',
          message: `ClientReference ${command.clientReference} was already used with different payment details`,
        });
      case 'refused':
        if (reserved.reason === 'blocked') return err({ kind: 'blacklisted', message: 'The msisdn is blacklisted' });
        return err({
          kind: 'limit_exceeded',
          message: `The subscriber's ${reserved.reason === 'limit_monthly' ? 'monthly' : 'yearly'} spending limit would be exceeded`,
        });
      case 'reserved':
        if (reserved.status === 'paid') {
          return ok(receipt(command, reserved.paymentId, false));
        }
        if (needsConfirmation(command)) return this.#confirmReserved(service, command, profile, reserved);
        return this.#debitReserved(service, command, profile, reserved);
    }
  }

  /** What the subscriber's and the service's present state refuses: it may change between a request and its retry. */
  async #admissionRefusal(service: ServiceContext, command: ChargeCommand, profile: SubscriberProfile): Promise<ChargeError | null> {
    const violation = checkSubscriber(profile, command.amountMinor, service.currency, command.requiredAge);
    if (violation) return violation;
    const unverified = await verificationViolation(this.deps.verifiedMsisdns, service, command.msisdn);
    if (unverified) return unverified;
    if (command.authorizationToken === undefined) return null;
    const valid = (await this.deps.tokens?.isValid(service, command.msisdn, command.authorizationToken)) ?? false;
    return valid ? null : { kind: 'token_invalid', message: 'The authorization token is not valid for this msisdn and service' };
  }

  /**
   * A refusal by present state must not hide what the same request already did: a retry
   * of a charge that went through answers with its first result (§17), even after a token
   * was revoked, a verification ran out or the operator barred the subscriber. Looked up
   * only on refusal, so the hot path stays one statement.
   */
  async #replayOr(service: ServiceContext, command: ChargeCommand, refusal: ChargeError): Promise<Result<ChargeReceipt, ChargeError>> {
    const earlier = await this.deps.payments.findByReference(service.serviceId, command.clientReference);
    if (earlier && earlier.status !== 'failed' && earlier.detailsHash === detailsHash(command)) {
      return ok(receipt(command, earlier.paymentId, true));
    }
    return err(refusal);
  }

  /** Asks the subscriber first; only a confirmed charge is collected, nothing else is charged. */
  async #confirmReserved(
    service: ServiceContext,
    command: ChargeCommand,
    profile: SubscriberProfile,
    reserved: { paymentId: number; attempt: number },
  ): Promise<Result<ChargeReceipt, ChargeError>> {
    const confirmations = this.deps.confirmations;
    assert(confirmations !== undefined, 'confirmation charges need a confirmation service');
    const outcome = await confirmations.confirm({
      serviceId: service.serviceId,
      payment: { paymentId: reserved.paymentId, attempt: reserved.attempt },
      msisdn: command.msisdn,
      channel: command.confirmationChannel ?? 'sms',
      prompt: confirmationPrompt(command, service.currency),
    });
    if (outcome === 'abandoned') {
      // This process is stopping; the prompt stays answerable and settlement collects a later yes.
      return err({
        kind: 'outcome_unknown',
        paymentId: reserved.paymentId,
        message: 'The server restarted while the subscriber was being asked; the payment is in progress',
      });
    }
    const attempt = settledAttemptOf(service, profile, reserved);
    if (outcome !== 'confirmed') {
      const settled = await this.#settleAttempt(attempt, 'failed');
      // Only the subscriber's yes collects; should anything else ever have, say what is true.
      if (settled === 'paid') return ok(receipt(command, reserved.paymentId, false));
      return outcome === 'declined'
        ? err({ kind: 'declined', message: 'The subscriber declined the payment' })
        : err({ kind: 'expired', message: 'The subscriber did not confirm the payment in time' });
    }
    if (profile.billing === 'realtime') return this.#debitReserved(service, command, profile, reserved);
    const settled = await this.#settleAttempt(attempt, 'paid');
    if (settled !== 'paid') return err({ kind: 'operator_error', message: `The payment was settled as ${settled} meanwhile` });
    return ok(receipt(command, reserved.paymentId, false));
  }

  /** Asks the operator to debit a reserved charge and settles the reservation with the answer. */
  async #debitReserved(
    service: ServiceContext,
    command: ChargeCommand,
    profile: SubscriberProfile,
    reserved: { paymentId: number; attempt: number },
  ): Promise<Result<ChargeReceipt, ChargeError>> {
    const debit: DebitRequest = {
      reference: debitReference(reserved.paymentId, reserved.attempt),
      msisdn: command.msisdn,
      operator: profile.operator,
      amountMinor: command.amountMinor,
      currency: service.currency,
    };
    const outcome = await this.#askOperator(debit);
    if (outcome.kind === 'unknown') {
      // Stays pending: settlement (GetPaymentStatus or the worker) asks the operator again.
      return err({
        kind: 'outcome_unknown',
        paymentId: reserved.paymentId,
        message: 'The operator did not answer in time; the payment is in progress',
      });
    }
    const attempt = settledAttemptOf(service, profile, reserved);
    if (outcome.kind === 'refused') {
      await this.#settleAttempt(attempt, 'failed');
      return err(refusalError(outcome.reason));
    }
    const settled = await this.#settleDebited(attempt, debit);
    if (settled === 'paid') return ok(receipt(command, reserved.paymentId, false));
    // Settlement decided "failed" while this debit was on its way; the same statement queued its give-back.
    return err({ kind: 'operator_error', message: 'The operator answered after the payment had failed; the debit is being returned' });
  }

  async #askOperator(debit: DebitRequest): Promise<DebitOutcome> {
    try {
      return await withTimeout(this.deps.carrier.debit(debit), OPERATOR_TIMEOUT_MS, 'the operator debit');
    } catch {
      // A failed or late call may still have reached the operator: only settlement can tell.
      return { kind: 'unknown' };
    }
  }

  #record(service: ServiceContext, command: ChargeCommand, profile: SubscriberProfile): ChargeRecord {
    const now = this.deps.clock.now();
    return {
      serviceId: service.serviceId,
      merchantId: service.merchantId,
      clientReference: command.clientReference,
      detailsHash: detailsHash(command),
      msisdn: command.msisdn,
      operator: profile.operator.mccMnc,
      amountMinor: command.amountMinor,
      currency: service.currency,
      serviceCode: command.serviceCode,
      testSubscriber: profile.whitelisted,
      // A charge awaiting the subscriber's confirmation is collected only once confirmed.
      paidAtOnce: profile.whitelisted || (profile.billing === 'invoice' && !needsConfirmation(command)),
      needsConfirmation: !profile.whitelisted && needsConfirmation(command),
      monthPeriod: monthPeriod(now),
      monthLimitMinor: profile.limits.monthlyMinor,
      yearPeriod: yearPeriod(now),
      yearLimitMinor: profile.limits.yearlyMinor,
      ...ledgerAccounts(service.merchantId, profile.operator.mccMnc, service.currency, profile.whitelisted),
      details: { ...command.details, businessModel: command.businessModel, requiredAge: command.requiredAge },
    };
  }

  /** Status by client reference; a pending payment is settled first when the operator knows. */
  async status(service: ServiceContext, clientReference: string): Promise<PaymentView | null> {
    const payment = await this.deps.payments.findByReference(service.serviceId, clientReference);
    if (payment?.status !== 'pending') return payment;
    await this.#settle(payment);
    return this.deps.payments.findByReference(service.serviceId, clientReference);
  }

  async reverse(service: ServiceContext, paymentId: number): Promise<Result<{ paymentId: number }, ReverseError>> {
    if (!Number.isSafeInteger(paymentId) || paymentId <= 0) {
      return err({ kind: 'not_found', message: `Transaction ${paymentId} was not found` });
    }
    const outcome = await this.deps.payments.reverse(service.serviceId, paymentId);
    switch (outcome.kind) {
      case 'reversed':
      case 'already_reversed':
        return ok({ paymentId });
      case 'not_found':
        return err({ kind: 'not_found', message: `Transaction ${paymentId} was not found` });
      case 'not_paid':
        return err({ kind: 'not_paid', message: `Transaction ${paymentId} is ${outcome.status} and cannot be reversed` });
    }
  }

  /**
   * Settles the next batch of pending charges whose operator answer is now known; returns
   * how many settled. Successive calls walk through all pending payments, in id order, and
   * start over at the end: payments that stay unknown (or keep failing) cannot starve the
   * younger ones. One payment's error does not stop the others; the errors are thrown
   * together once the batch is done.
   */
  async settlePending(): Promise<number> {
    // Young payments are left to the request that is still asking the operator.
    const createdBefore = new Date(this.deps.clock.now().getTime() - SETTLE_GRACE_MS);
    const pending = await this.deps.payments.listPending(createdBefore, SETTLE_BATCH, this.#settleCursor);
    const last = pending.at(-1);
    this.#settleCursor = pending.length === SETTLE_BATCH && last ? { paymentId: last.paymentId } : undefined;
    let settled = 0;
    const errors: unknown[] = [];
    for (const payment of pending) {
      try {
        if (await this.#settle(payment)) settled += 1;
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} of ${pending.length} pending payments could not be settled`);
    return settled;
  }

  async #settle(payment: PendingPayment): Promise<boolean> {
    // The request that asks the subscriber settles it; a refusal or silence charges nothing.
    if (payment.confirmation === 'waiting') return false;
    if (payment.confirmation === 'declined' || payment.confirmation === 'expired') {
      return (await this.#settleAttempt(payment, 'failed')) === 'failed';
    }
    if (payment.needsConfirmation && payment.confirmation !== 'confirmed') {
      // No prompt yet: its request is about to ask, or died before it could. Without the
      // subscriber's yes nothing is collected, and the operator is not even asked.
      const unpromptedMs = this.deps.clock.now().getTime() - payment.createdAt.getTime();
      if (unpromptedMs < UNPROMPTED_CONFIRMATION_MS) return false;
      return (await this.#settleAttempt(payment, 'failed')) === 'failed';
    }
    const profile = await this.deps.carrier.subscriber(payment.msisdn);
    if (payment.needsConfirmation && profile.billing === 'invoice') {
      // Confirmed, and collected from the invoice: recording it is the charge, no debit was sent.
      return (await this.#settleAttempt(payment, 'paid')) === 'paid';
    }
    const request: DebitRequest = {
      reference: debitReference(payment.paymentId, payment.attempt),
      msisdn: payment.msisdn,
      operator: profile.operator,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
    };
    const outcome = await withTimeout(this.deps.carrier.debitStatus(request, payment.createdAt), OPERATOR_TIMEOUT_MS, 'the operator status query').catch(
      (): DebitOutcome => ({ kind: 'unknown' }),
    );
    if (outcome.kind === 'unknown') return false;
    if (outcome.kind === 'refused') return (await this.#settleAttempt(payment, 'failed')) === 'failed';
    return (await this.#settleDebited(payment, request)) === 'paid';
  }

  /** Settles one pending attempt against the ledger accounts of its merchant and operator. */
  #settleAttempt(attempt: SettledAttempt, status: 'paid' | 'failed') {
    const accounts = ledgerAccounts(attempt.merchantId, attempt.operator, attempt.currency, false);
    return this.deps.payments.settle(attempt.paymentId, attempt.attempt, status, accounts.debitAccount, accounts.creditAccount);
  }

  /** Settles an attempt the operator debited; one that can no longer be paid gets its debit back, atomically. */
  #settleDebited(attempt: SettledAttempt, debit: DebitRequest) {
    const accounts = ledgerAccounts(attempt.merchantId, attempt.operator, attempt.currency, false);
    const debited = { paymentId: attempt.paymentId, attempt: attempt.attempt, msisdn: debit.msisdn, amountMinor: debit.amountMinor, currency: debit.currency };
    return this.deps.payments.settleDebited(debited, accounts.debitAccount, accounts.creditAccount);
  }

  /** Subscribes the carrier-facing consequences of ledger events to the outbox. */
  registerOutboxHandlers(dispatcher: OutboxDispatcher): void {
    const credit = async (event: OutboxEvent) => this.deps.carrier.credit(creditFromEvent(event));
    dispatcher.on(CARRIER_CREDIT_TOPIC, credit);
    dispatcher.on('payment.reversed', credit);
  }

  /** What a subscriber spent in the given periods (for limit reporting). */
  async spent(msisdn: Msisdn, currency: ServiceContext['currency'], at: Date): Promise<{ monthMinor: bigint; yearMinor: bigint }> {
    const [month, year] = [monthPeriod(at), yearPeriod(at)];
    const spent = await this.deps.payments.spentInPeriods(msisdn, currency, [month, year]);
    return { monthMinor: spent.get(month) ?? 0n, yearMinor: spent.get(year) ?? 0n };
  }
}

type SettledAttempt = Pick<PendingPayment, 'paymentId' | 'attempt' | 'merchantId' | 'operator' | 'currency'>;

function receipt(command: ChargeCommand, paymentId: number, replayed: boolean): ChargeReceipt {
  return { paymentId, clientReference: command.clientReference, replayed };
}

/** The attempt a request reserved, as settlement needs it (ledger accounts of merchant and operator). */
function settledAttemptOf(service: ServiceContext, profile: SubscriberProfile, reserved: { paymentId: number; attempt: number }): SettledAttempt {
  return { ...reserved, merchantId: service.merchantId, operator: profile.operator.mccMnc, currency: service.currency };
}

/** SecurityLevel 2 asks the subscriber, unless a PreAuthorize token stands for the consent. */
function needsConfirmation(command: ChargeCommand): boolean {
  return command.securityLevel === 'confirmation' && command.authorizationToken === undefined;
}

/** What the handset shows: amount, currency and what it is for. */
function confirmationPrompt(command: ChargeCommand, currency: ServiceContext['currency']): string {
  const what = typeof command.details.endUserInvoiceText === 'string' ? ` for ${command.details.endUserInvoiceText.slice(0, 100)}` : '';
  return `Confirm payment of ${formatMinor(command.amountMinor, currency)} ${currency}${what}?`;
}

/** The operator's idempotency key of one debit: payment and attempt. */
function debitReference(paymentId: number, attempt: number): string {
  return `${paymentId}.${attempt}`;
}

function creditFromEvent(event: OutboxEvent): CreditRequest {
  const p = event.payload;
  return {
    reference: String(p.debitReference),
    msisdn: String(p.msisdn) as Msisdn,
    amountMinor: BigInt(String(p.amountMinor)),
    currency: String(p.currency) as CreditRequest['currency'],
  };
}

function ledgerAccounts(merchantId: number, mccMnc: string, currency: string, test: boolean) {
  return {
    debitAccount: `${test ? 'test-operator' : 'operator'}:${mccMnc}:${currency}`,
    creditAccount: `merchant:${merchantId}:${currency}`,
  };
}

/** The details a retry must repeat to count as the same payment. */
function detailsHash(command: ChargeCommand): string {
  return sha256Hex(
    JSON.stringify([
      command.msisdn,
      command.amountMinor.toString(),
      command.serviceCode,
      command.requiredAge ?? null,
      command.businessModel ?? null,
      command.securityLevel,
      command.authorizationToken ?? null,
    ]),
  );
}

function refusalError(reason: 'unknown_subscriber' | 'insufficient_funds' | 'barred' | 'operator_error'): ChargeError {
  switch (reason) {
    case 'unknown_subscriber':
      return { kind: 'unknown_subscriber', message: 'Unknown subscriber at the operator' };
    case 'insufficient_funds':
      return { kind: 'insufficient_funds', message: 'Insufficient funds on the prepaid subscription' };
    case 'barred':
      return { kind: 'barred', message: 'Billing is barred for the msisdn' };
    case 'operator_error':
      return { kind: 'operator_error', message: 'The operator reported a technical error' };
  }
}
