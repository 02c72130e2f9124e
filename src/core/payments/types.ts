import type { Currency } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { ConfirmationChannel } from '../confirmations/ports.js';
import type { PricePolicy } from '../pricing/policy.js';

export type { ChargeError, ReverseError } from './errors.js';
export type PaymentStatus = 'pending' | 'paid' | 'failed' | 'reversed';

/**
 * How the subscriber agrees to a charge. none: the charge needs no consent of its own;
 * merchant-asserted: the merchant vouches that it has it; prompt: the subscriber is asked
 * on the handset and only a yes collects; token: an earlier pre-authorisation stands for it;
 * pin: the subscriber gave back the one-time PIN sent to the handset for this charge.
 */
export type ChargeConsent =
  | { readonly mode: 'none' }
  | { readonly mode: 'pin'; readonly pin: PinApproval }
  | { readonly mode: 'merchant-asserted' }
  | { readonly mode: 'prompt'; readonly channel: ConfirmationChannel; readonly sender: string }
  | { readonly mode: 'token'; readonly token: string };
export type ChargeConsentMode = ChargeConsent['mode'];

/**
 * A one-time PIN given back to approve a charge, judged in the statement that reserves the
 * charge (decision 49): the newest PIN the endpoint sent the subscriber for the product is
 * compared with the hash given, the guess counted, and the PIN used by the charge, whose
 * idempotency key (a UUID) is written into it as its transaction id.
 */
export interface PinApproval {
  readonly endpointId: number;
  readonly productId: number;
  /** The keyed hash of the PIN given (ChargePinService), compared with the stored one. */
  readonly pinHash: string;
  readonly maxAttempts: number;
}

/** Why a PIN did not approve a charge. salted: hashed under a scheme only ChargePinService can judge. */
export type PinRefusal = 'wrong_pin' | 'used' | 'expired' | 'salted';

/** One value of what a retry must repeat to count as the same request. */
export type FingerprintPart = string | number | null;

/** A request to charge a subscriber, already normalised by a facade. */
export interface ChargeCommand {
  /** The merchant's key of this charge: a retry with the same key and details is answered, not charged again. */
  readonly idempotencyKey: string;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly subscriber: Msisdn;
  readonly consent: ChargeConsent;
  /** The prices the facade's product rules allow for this charge. */
  readonly pricePolicy: PricePolicy;
  /** The facade's product id, kept with the payment. */
  readonly productCode: string;
  /** The subscriber's minimum age in whole years, when the product has one. */
  readonly minimumAge?: number | undefined;
  /** What the charge is for, shown to the subscriber when asked. */
  readonly description?: string | undefined;
  /**
   * The facade's request fields, beyond subscriber and amount, that a retry must repeat to
   * be the same payment (the facade's idempotency rule); hashed with the payment.
   */
  readonly fingerprint: readonly FingerprintPart[];
  /** Free-form details kept with the payment (invoice text, differentiator, …). */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface ChargeReceipt {
  readonly paymentId: number;
  readonly idempotencyKey: string;
  /** true when this answered a retry of an earlier request. */
  readonly replayed: boolean;
}

export interface PaymentView {
  readonly paymentId: number;
  readonly clientReference: string;
  readonly status: PaymentStatus;
  readonly msisdn: Msisdn;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly createdAt: Date;
}
