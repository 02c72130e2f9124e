import type { Msisdn } from '../../kernel/msisdn.js';
import type { SmsSendPayload } from '../outbox/catalogue.js';

export interface NewChargePin {
  readonly endpointId: number;
  readonly msisdn: Msisdn;
  readonly productId: number;
  readonly pinHash: string;
  readonly now: Date;
  readonly expiresAt: Date;
  readonly maxPerHour: number;
  /** Queued in the transaction that stores the PIN. */
  readonly sms: SmsSendPayload;
}

export interface StoredChargePin {
  readonly pinId: number;
  readonly pinHash: string;
  readonly expiresAt: Date;
  readonly attempts: number;
  readonly used: boolean;
}

/** One guess at the newest PIN of (endpoint, MSISDN, product), judged in the store. */
export interface PinAttempt {
  readonly endpointId: number;
  readonly msisdn: Msisdn;
  readonly productId: number;
  /** The keyed hash of the PIN given (ChargePinService), compared with the stored one. */
  readonly pinHash: string;
  /** Written into the PIN when it approves the charge: the charge's idempotency key. */
  readonly transactionId: string;
  readonly now: Date;
  readonly maxAttempts: number;
}

/** What one guess did: one kind per cause. */
export type PinAttemptOutcome =
  | { readonly kind: 'approved'; readonly pinId: number }
  /** Counted, and the PIN is not the one given; or no PIN was sent. */
  | { readonly kind: 'wrong_pin' }
  /** Used, or burnt by guesses: not counted. */
  | { readonly kind: 'used' }
  /** Past its time: not counted. */
  | { readonly kind: 'expired' }
  /** Hashed under the salted scheme of before: the service judges it in three steps (latest, claimAttempt, use). */
  | { readonly kind: 'salted'; readonly stored: StoredChargePin };

/** Charge PINs and the SMS that carries each, stored together. */
export interface ChargePinRepository {
  /** The PIN's id; 'rate_limited' when the pair had maxPerHour PINs in the hour before now. */
  issue(pin: NewChargePin): Promise<number | 'rate_limited'>;
  /**
   * Counts the guess and, if the hash is the stored one, uses the PIN for the transaction
   * id, in one statement (guesses arriving together share it): nothing is counted for a
   * used, burnt or expired PIN, and of concurrent right guesses exactly one is approved.
   */
  attempt(attempt: PinAttempt): Promise<PinAttemptOutcome>;
  /** The newest PIN the endpoint sent the subscriber for the product. */
  latest(endpointId: number, msisdn: Msisdn, productId: number): Promise<StoredChargePin | null>;
  /** Counts one guess, if the PIN is unused and has guesses left; false otherwise. */
  claimAttempt(pinId: number, maxAttempts: number): Promise<boolean>;
  /** Marks the PIN used by the charge with this transaction id, if nobody did first. */
  use(pinId: number, transactionId: string, at: Date): Promise<boolean>;
  /** Whether a PIN of the endpoint approved a charge under this transaction id. */
  hasTransaction(endpointId: number, transactionId: string): Promise<boolean>;
}
