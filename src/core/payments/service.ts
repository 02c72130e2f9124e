import type { Clock } from '../../kernel/clock.js';
import { monthPeriod, yearPeriod } from '../../kernel/clock.js';
import { assertAmountMinor } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { err, ok, type Result } from '../../kernel/result.js';
import { sha256Hex } from '../../kernel/secrets.js';
import type { CarrierNetwork, CreditRequest, DebitOutcome, DebitRequest, SubscriberProfile } from '../carrier/ports.js';
import { checkPrice, checkSubscriber } from '../limits/rules.js';
import type { ServiceContext } from '../merchants/types.js';
import type { OutboxEvent } from '../outbox/ports.js';
import type { OutboxDispatcher } from '../outbox/service.js';
import type { ChargeObserver, ChargeRecord, OutboxPort, PaymentRepository, PendingPayment } from './ports.js';
import type { ChargeCommand, ChargeError, ChargeReceipt, PaymentView, ReverseError } from './types.js';

const SETTLE_BATCH = 100;
const CARRIER_CREDIT_TOPIC = 'carrier.credit';

export interface PaymentServiceDeps {
  carrier: CarrierNetwork;
  payments: PaymentRepository;
  outbox: OutboxPort;
  clock: Clock;
  observe?: ChargeObserver;
}

/**
 * Charges, reversals and status of direct carrier billing payments.
 *
 * A charge asks the operator to debit first (idempotent on service + client reference)
 * and then records the outcome in one statement that also enforces idempotency, the
 * platform blocklist and the period spend limits. When that statement refuses after the
 * operator debited, the debit is given back through the outbox.
 */
export class PaymentService {
  constructor(private readonly deps: PaymentServiceDeps) {}

  async charge(service: ServiceContext, command: ChargeCommand): Promise<Result<ChargeReceipt, ChargeError>> {
    const result = await this.#charge(service, command);
    this.deps.observe?.(result.ok ? (result.value.replayed ? 'replayed' : 'paid') : result.error.kind);
    return result;
  }

  async #charge(service: ServiceContext, command: ChargeCommand): Promise<Result<ChargeReceipt, ChargeError>> {
    assertAmountMinor(command.amountMinor);
    if (command.securityLevel !== 'none' || command.authorizationToken !== undefined) {
      return err({ kind: 'not_supported', message: 'Only SecurityLevel 1 (None) without AuthorizationToken is supported' });
    }
    const priceViolation = checkPrice(command.amountMinor, command.serviceCode, command.businessModel);
    if (priceViolation) return err(priceViolation);
    const profile = await this.deps.carrier.subscriber(command.msisdn);
    const violation = checkSubscriber(profile, command.amountMinor, service.currency, command.requiredAge);
    if (violation) return err(violation);

    const debit: DebitRequest = {
      reference: `${service.serviceId}:${command.clientReference}`,
      msisdn: command.msisdn,
      operator: profile.operator,
      amountMinor: command.amountMinor,
      currency: service.currency,
    };
    const outcome: DebitOutcome = profile.whitelisted ? { kind: 'debited' } : await this.deps.carrier.debit(debit);
    if (outcome.kind === 'refused') return err(refusalError(outcome.reason));

    const recorded = await this.deps.payments.recordCharge(this.#record(service, command, profile, outcome));
    switch (recorded.kind) {
      case 'recorded':
        if (outcome.kind === 'unknown') {
          return err({
            kind: 'outcome_unknown',
            paymentId: recorded.paymentId,
            message: 'The operator did not answer in time; the payment is in progress',
          });
        }
        return ok({ paymentId: recorded.paymentId, clientReference: command.clientReference, replayed: false });
      case 'duplicate':
        return ok({ paymentId: recorded.paymentId, clientReference: command.clientReference, replayed: true });
      case 'conflict':
        return err({
          kind: 'reference_conflict',
          message: `ClientReference ${command.clientReference} was already used with different payment details`,
        });
      case 'refused':
        if (outcome.kind === 'debited' && !profile.whitelisted) await this.#giveBack(debit);
        if (recorded.reason === 'blocked') return err({ kind: 'blacklisted', message: 'The msisdn is blacklisted' });
        return err({
          kind: 'limit_exceeded',
          message: `The subscriber's ${recorded.reason === 'limit_monthly' ? 'monthly' : 'yearly'} spending limit would be exceeded`,
        });
    }
  }

  #record(service: ServiceContext, command: ChargeCommand, profile: SubscriberProfile, outcome: DebitOutcome): ChargeRecord {
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
      status: outcome.kind === 'debited' ? 'paid' : 'pending',
      testSubscriber: profile.whitelisted,
      monthPeriod: monthPeriod(now),
      monthLimitMinor: profile.limits.monthlyMinor,
      yearPeriod: yearPeriod(now),
      yearLimitMinor: profile.limits.yearlyMinor,
      ...ledgerAccounts(service.merchantId, profile.operator.mccMnc, service.currency, profile.whitelisted),
      details: { ...command.details, businessModel: command.businessModel, requiredAge: command.requiredAge },
    };
  }

  async #giveBack(debit: DebitRequest): Promise<void> {
    const credit: CreditRequest = {
      reference: debit.reference,
      msisdn: debit.msisdn,
      amountMinor: debit.amountMinor,
      currency: debit.currency,
    };
    await this.deps.outbox.enqueue(CARRIER_CREDIT_TOPIC, { ...credit, amountMinor: String(credit.amountMinor) });
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

  /** Settles pending charges whose operator answer is now known. Returns how many settled. */
  async settlePending(): Promise<number> {
    const pending = await this.deps.payments.listPending(this.deps.clock.now(), SETTLE_BATCH);
    let settled = 0;
    for (const payment of pending) if (await this.#settle(payment)) settled += 1;
    return settled;
  }

  async #settle(payment: PendingPayment): Promise<boolean> {
    const profile = await this.deps.carrier.subscriber(payment.msisdn);
    const request: DebitRequest = {
      reference: `${payment.serviceId}:${payment.clientReference}`,
      msisdn: payment.msisdn,
      operator: profile.operator,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
    };
    const outcome = await this.deps.carrier.debitStatus(request, payment.createdAt);
    if (outcome.kind === 'unknown') return false;
    const accounts = ledgerAccounts(payment.merchantId, payment.operator, payment.currency, false);
    const status = outcome.kind === 'debited' ? 'paid' : 'failed';
    return this.deps.payments.settle(payment.paymentId, status, accounts.debitAccount, accounts.creditAccount);
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

function creditFromEvent(event: OutboxEvent): CreditRequest {
  const p = event.payload;
  const reference = typeof p.reference === 'string' ? p.reference : `${String(p.serviceId)}:${String(p.clientReference)}`;
  return {
    reference,
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
