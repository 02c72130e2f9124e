import type { Msisdn } from '../../kernel/msisdn.js';
import type { SmsSendPayload } from '../outbox/catalogue.js';

export interface NewVerificationCode {
  readonly serviceId: number;
  readonly msisdn: Msisdn;
  readonly codeHash: string;
  readonly now: Date;
  readonly expiresAt: Date;
  readonly verificationExpiresAt: Date | null;
  readonly maxPerHour: number;
  /** The SMS to queue in the same transaction. */
  /** Queued in the outbox with the code, in the same transaction. */
  readonly sms: SmsSendPayload;
}

export interface StoredVerificationCode {
  readonly id: number;
  readonly codeHash: string;
  readonly expiresAt: Date;
  readonly verificationExpiresAt: Date | null;
  readonly attempts: number;
  readonly used: boolean;
}

/** Verification codes and verified MSISDNs; every query is scoped by service. */
export interface VerificationRepository {
  issue(code: NewVerificationCode): Promise<'issued' | 'rate_limited'>;
  /** The newest code sent to the MSISDN for the service. */
  latest(serviceId: number, msisdn: Msisdn): Promise<StoredVerificationCode | null>;
  /** Counts one guess before it is judged; false when the code is used or burnt. */
  claimAttempt(codeId: number, maxAttempts: number): Promise<boolean>;
  /** Uses the code up and records the MSISDN as verified; false when it was used meanwhile. */
  markVerified(codeId: number, serviceId: number, msisdn: Msisdn, at: Date, verifiedUntil: Date | null): Promise<boolean>;
  /** Whether the MSISDN was verified for the service and its verification still holds at the given time. */
  isVerified(serviceId: number, msisdn: Msisdn, at: Date): Promise<boolean>;
}
