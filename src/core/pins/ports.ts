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

/** Charge PINs and the SMS that carries each, stored together. */
export interface ChargePinRepository {
  /** The PIN's id; 'rate_limited' when the pair had maxPerHour PINs in the hour before now. */
  issue(pin: NewChargePin): Promise<number | 'rate_limited'>;
  /** The newest PIN the endpoint sent the subscriber for the product. */
  latest(endpointId: number, msisdn: Msisdn, productId: number): Promise<StoredChargePin | null>;
  /** Counts one guess, if the PIN is unused and has guesses left; false otherwise. */
  claimAttempt(pinId: number, maxAttempts: number): Promise<boolean>;
  /** Marks the PIN used by the charge with this transaction id, if nobody did first. */
  use(pinId: number, transactionId: string, at: Date): Promise<boolean>;
  /** Whether a PIN of the endpoint approved a charge under this transaction id. */
  hasTransaction(endpointId: number, transactionId: string): Promise<boolean>;
}
