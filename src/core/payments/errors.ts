import type { Currency } from '../../kernel/money.js';
import type { PriceRule } from '../pricing/policy.js';

/**
 * Why a charge, a check or a pre-authorisation was refused: one kind per cause, with the
 * values that explain it. Core writes no wire text; each facade words these its own way
 * (and metrics count charges by kind).
 */

/** The facade's price policy refused the amount. */
export type PriceRefusal =
  | { readonly kind: 'price_rule_unknown'; readonly rule: PriceRule }
  | { readonly kind: 'price_below_minimum'; readonly rule: PriceRule; readonly amountMinor: bigint; readonly minMinor: bigint }
  | { readonly kind: 'price_above_maximum'; readonly rule: PriceRule; readonly amountMinor: bigint; readonly maxMinor: bigint };

/** What the subscriber's profile at the operator refuses. */
export type SubscriberRefusal =
  | { readonly kind: 'unknown_subscriber' }
  | { readonly kind: 'barred' }
  | { readonly kind: 'unregistered' }
  /** Registered for payments, but not for purchases that need a licence (eligible or verified). */
  | { readonly kind: 'not_licensed' }
  /** The subscriber's operator does not bill in the currency asked for. */
  | { readonly kind: 'unsupported_network'; readonly operatorName: string; readonly currency: Currency }
  | { readonly kind: 'underage'; readonly minimumAge: number }
  | { readonly kind: 'limit_per_charge_exceeded'; readonly amountMinor: bigint; readonly limitMinor: bigint };

/** The subscriber's spend in the calendar month or year would pass its limit. */
export type PeriodLimitRefusal = { readonly kind: 'limit_monthly_exceeded' } | { readonly kind: 'limit_yearly_exceeded' };

export type ChargeError =
  | PriceRefusal
  | SubscriberRefusal
  | PeriodLimitRefusal
  | { readonly kind: 'reference_conflict'; readonly idempotencyKey: string }
  /** The consent mode needs a service this deployment does not run (prompts without a confirmation service, PINs without their store). */
  | { readonly kind: 'consent_unsupported'; readonly mode: 'prompt' | 'pin' }
  | { readonly kind: 'blacklisted' }
  | { readonly kind: 'not_verified' }
  | { readonly kind: 'token_invalid' }
  /** Consent by PIN: no PIN was sent for this subscriber and product, or the PIN given is not it. */
  | { readonly kind: 'pin_wrong' }
  /** Consent by PIN: the PIN approved another charge already, or was burnt by wrong guesses. */
  | { readonly kind: 'pin_used' }
  | { readonly kind: 'pin_expired' }
  /** Consent by PIN: the PIN is hashed under a scheme of before that the store cannot judge; ChargePinService.redeem can. */
  | { readonly kind: 'pin_salted' }
  /** The operator refused the debit. */
  | { readonly kind: 'insufficient_funds' }
  | { readonly kind: 'operator_error' }
  /** The reservation was settled otherwise while the subscriber was asked (settlement ran). */
  | { readonly kind: 'settled_meanwhile'; readonly status: string }
  /** The operator debited after the payment had failed; the debit is being given back. */
  | { readonly kind: 'debit_returned' }
  | { readonly kind: 'declined' }
  | { readonly kind: 'expired' }
  /** The operator did not answer in time: the payment stays pending, settlement finishes it. */
  | { readonly kind: 'operator_timeout'; readonly paymentId: number }
  /** The process stopped while the subscriber was asked: the payment stays pending. */
  | { readonly kind: 'confirmation_abandoned'; readonly paymentId: number };

export type ReverseError =
  | { readonly kind: 'not_found'; readonly paymentId: number }
  | { readonly kind: 'not_paid'; readonly paymentId: number; readonly status: string };

export type PreAuthorizeError =
  | SubscriberRefusal
  | { readonly kind: 'consent_declined' }
  /** No answer in time, or a wait ended by a shutdown: no consent. */
  | { readonly kind: 'consent_expired' };
