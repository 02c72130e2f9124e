import type { Currency } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';

export type ConfirmationChannel = 'sms' | 'ussd';
export type ConfirmationAnswer = 'confirmed' | 'declined';
export type ConfirmationOutcome = ConfirmationAnswer | 'expired';
/**
 * How a wait ended: the subscriber's answer, no answer in time, or 'abandoned' — this
 * process is shutting down; a payment prompt stays answerable (settlement collects a
 * later yes), a consent prompt is withdrawn (answered as 'expired').
 */
export type WaitOutcome = ConfirmationOutcome | 'abandoned';

export interface NewConfirmation {
  readonly serviceId: number;
  /** A payment attempt to confirm, or null for consent to a pre-authorisation. */
  readonly payment: { readonly paymentId: number; readonly attempt: number } | null;
  readonly msisdn: Msisdn;
  readonly channel: ConfirmationChannel;
  readonly prompt: string;
  /** SMS prompts: the originator prefix the facade sets (a 10-digit suffix is added); required for SMS. */
  readonly shortNumber?: string | undefined;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface WaitingConfirmation {
  readonly id: number;
  readonly channel: ConfirmationChannel;
  /** Who the SMS prompt comes from; null for USSD. */
  readonly sender: string | null;
  readonly prompt: string;
  readonly expiresAt: Date;
}

/** What a prompt asked and how it ended, for telling the subscriber after they answered. */
export interface ConfirmationSummary {
  readonly id: number;
  readonly status: 'waiting' | ConfirmationOutcome;
  readonly serviceName: string;
  /** The payment's amount, or null for consent to a pre-authorisation. */
  readonly payment: { readonly amountMinor: bigint; readonly currency: Currency } | null;
}

export interface ConfirmationRepository {
  create(request: NewConfirmation): Promise<number>;
  /** waiting → the answer, if still waiting, unexpired and for this MSISDN. */
  answer(id: number, msisdn: Msisdn, answer: ConfirmationAnswer, at: Date): Promise<boolean>;
  /** waiting → expired, if still waiting. */
  expire(id: number): Promise<boolean>;
  /** The settled outcome of each given request that is no longer waiting. */
  outcomes(ids: readonly number[]): Promise<Map<number, ConfirmationOutcome>>;
  waitingFor(msisdn: Msisdn, at: Date): Promise<WaitingConfirmation[]>;
  /** The request with this id, if it was put to this MSISDN; one past its time reads as expired. */
  summary(id: number, msisdn: Msisdn, at: Date): Promise<ConfirmationSummary | null>;
}

/** Puts a confirmation prompt on the subscriber's handset (USSD dialogue or SMS). */
export interface ConfirmationPrompter {
  prompt(request: { id: number; msisdn: Msisdn; channel: ConfirmationChannel; text: string }): Promise<void>;
}
