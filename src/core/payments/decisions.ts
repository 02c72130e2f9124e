import { monthPeriod, yearPeriod } from '../../kernel/clock.js';
import { sha256Hex } from '../../kernel/secrets.js';
import type { DebitOutcome, DebitRefusal, SubscriberProfile } from '../carrier/ports.js';
import { checkSubscriber } from '../limits/rules.js';
import type { ServiceContext } from '../merchants/types.js';
import { checkPrice } from '../pricing/policy.js';
import type { ChargeError } from './errors.js';
import type { ChargeRecord, PendingPayment, ReserveOutcome } from './ports.js';
import type { ChargeCommand, PinRefusal } from './types.js';

/**
 * The decisions of charging and settlement as pure functions of what is known: no port,
 * no clock, no database. The services gather the facts and carry out the answer.
 */

/** What refuses a charge before the subscriber is looked up: the consent mode and the price. */
export function preflightRefusal(command: ChargeCommand, available: { prompt: boolean; pin: boolean }): ChargeError | null {
  if (command.consent.mode === 'prompt' && !available.prompt) return { kind: 'consent_unsupported', mode: 'prompt' };
  if (command.consent.mode === 'pin' && !available.pin) return { kind: 'consent_unsupported', mode: 'pin' };
  return checkPrice(command.amountMinor, command.pricePolicy);
}

/** The facts admission weighs that come from ports (asked only when they matter). */
export interface AdmissionFacts {
  readonly profile: SubscriberProfile;
  /** Whether the service has verified the MSISDN; undefined when the service does not ask. */
  readonly verified?: boolean | undefined;
  /** Whether the command's token is valid; undefined when the command carries none. */
  readonly tokenValid?: boolean | undefined;
}

/**
 * What the subscriber's and the service's present state refuses, in this order: the
 * profile, a required verification, the consent token. It may change between a request
 * and its retry, so a refusal here still answers a retry of a charge that went through.
 */
export function admissionRefusal(service: ServiceContext, command: ChargeCommand, facts: AdmissionFacts): ChargeError | null {
  const violation = checkSubscriber(facts.profile, command.amountMinor, service.currency, command.minimumAge);
  if (violation) return violation;
  if (service.requiresVerifiedMsisdn && facts.verified !== true) return { kind: 'not_verified' };
  if (command.consent.mode === 'token' && facts.tokenValid !== true) return { kind: 'token_invalid' };
  return null;
}

/** A charge that is collected only once the subscriber says yes. */
export function needsPrompt(command: ChargeCommand): boolean {
  return command.consent.mode === 'prompt';
}

/** The reservation a charge makes, at the given moment (periods of the spend limits). */
export function chargeRecord(service: ServiceContext, command: ChargeCommand, profile: SubscriberProfile, now: Date): ChargeRecord {
  const prompt = needsPrompt(command);
  return {
    serviceId: service.serviceId,
    merchantId: service.merchantId,
    clientReference: command.idempotencyKey,
    detailsHash: detailsHash(command),
    msisdn: command.subscriber,
    operator: profile.operator.mccMnc,
    amountMinor: command.amountMinor,
    currency: command.currency,
    productCode: command.productCode,
    testSubscriber: profile.whitelisted,
    // A charge awaiting the subscriber's confirmation is collected only once confirmed.
    paidAtOnce: profile.whitelisted || (profile.billing === 'invoice' && !prompt),
    needsConfirmation: !profile.whitelisted && prompt,
    monthPeriod: monthPeriod(now),
    monthLimitMinor: profile.limits.monthlyMinor,
    yearPeriod: yearPeriod(now),
    yearLimitMinor: profile.limits.yearlyMinor,
    ...ledgerAccounts(service.merchantId, profile.operator.mccMnc, command.currency, profile.whitelisted),
    details: command.details,
    reservedAt: now,
    pin: command.consent.mode === 'pin' ? command.consent.pin : undefined,
  };
}

/** A PIN's verdict as the charge's refusal. */
export const PIN_REFUSALS = { wrong_pin: 'pin_wrong', used: 'pin_used', expired: 'pin_expired', salted: 'pin_salted' } as const satisfies Record<
  PinRefusal,
  ChargeError['kind']
>;

/** The refusal a reservation answered with, or null when it reserved or found the same request. */
export function reservationRefusal(command: ChargeCommand, reserved: ReserveOutcome): ChargeError | null {
  switch (reserved.kind) {
    case 'conflict':
      return { kind: 'reference_conflict', idempotencyKey: command.idempotencyKey };
    case 'refused':
      if (reserved.reason === 'blocked') return { kind: 'blacklisted' };
      return { kind: reserved.reason === 'limit_monthly' ? 'limit_monthly_exceeded' : 'limit_yearly_exceeded' };
    case 'pin_refused':
      return { kind: PIN_REFUSALS[reserved.reason] };
    case 'duplicate':
    case 'reserved':
      return null;
  }
}

/** Whether an earlier payment of the same key answers a refused retry (§17: same details, not failed). */
export function answersRetry(earlier: Pick<PendingPayment, 'status' | 'detailsHash'> | null, command: ChargeCommand): boolean {
  return earlier !== null && earlier.status !== 'failed' && earlier.detailsHash === detailsHash(command);
}

export function debitRefusalError(reason: DebitRefusal): ChargeError {
  return { kind: reason };
}

/** What settlement does with a pending payment before the operator is asked. */
export type PendingStep = 'leave' | 'fail' | 'continue';

/**
 * A payment waiting for its subscriber is left to the request that asks; a no or silence
 * fails it. One that needs a yes but has no prompt after unpromptedMs was left by a request
 * that died before it could ask: it fails, and the operator is not even asked.
 */
export function pendingStep(payment: Pick<PendingPayment, 'confirmation' | 'needsConfirmation' | 'createdAt'>, nowMs: number, unpromptedMs: number): PendingStep {
  if (payment.confirmation === 'waiting') return 'leave';
  if (payment.confirmation === 'declined' || payment.confirmation === 'expired') return 'fail';
  if (payment.needsConfirmation && payment.confirmation !== 'confirmed') {
    return nowMs - payment.createdAt.getTime() < unpromptedMs ? 'leave' : 'fail';
  }
  return 'continue';
}

/** A confirmed charge collected from the invoice is recorded as paid; any other is debited at the operator. */
export function collection(needsConfirmation: boolean, billing: SubscriberProfile['billing']): 'record' | 'debit' {
  return needsConfirmation && billing === 'invoice' ? 'record' : 'debit';
}

/** What an operator answer does to a pending attempt. */
export function operatorAnswerStep(outcome: DebitOutcome): 'leave' | 'fail' | 'collect' {
  if (outcome.kind === 'unknown') return 'leave';
  return outcome.kind === 'refused' ? 'fail' : 'collect';
}

/** The operator's idempotency key of one debit: payment and attempt. */
export function debitReference(paymentId: number, attempt: number): string {
  return `${paymentId}.${attempt}`;
}

export function ledgerAccounts(merchantId: number, mccMnc: string, currency: string, test: boolean) {
  return {
    debitAccount: `${test ? 'test-operator' : 'operator'}:${mccMnc}:${currency}`,
    creditAccount: `merchant:${merchantId}:${currency}`,
  };
}

/** The details a retry must repeat to count as the same payment: subscriber, amount and the facade's fingerprint. */
export function detailsHash(command: ChargeCommand): string {
  return sha256Hex(JSON.stringify([command.subscriber, command.amountMinor.toString(), ...command.fingerprint]));
}
