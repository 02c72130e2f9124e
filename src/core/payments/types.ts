import type { Currency } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { RequiredAge } from '../limits/rules.js';

export type SecurityLevel = 'none' | 'confirmation' | 'pin';
export type PaymentStatus = 'pending' | 'paid' | 'failed' | 'reversed';

/** A request to charge a subscriber, already normalised by a facade. */
export interface ChargeCommand {
  readonly msisdn: Msisdn;
  readonly amountMinor: bigint;
  readonly serviceCode: string;
  readonly clientReference: string;
  readonly requiredAge?: RequiredAge | undefined;
  readonly businessModel?: string | undefined;
  readonly securityLevel: SecurityLevel;
  readonly confirmationChannel?: 'ussd' | 'sms' | undefined;
  readonly authorizationToken?: string | undefined;
  /** Free-form details kept with the payment (invoice text, differentiator, …). */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface ChargeReceipt {
  readonly paymentId: number;
  readonly clientReference: string;
  /** true when this answered a retry of an earlier request. */
  readonly replayed: boolean;
}

export type ChargeError =
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'reference_conflict'; readonly message: string }
  | { readonly kind: 'not_supported'; readonly message: string }
  | { readonly kind: 'unknown_subscriber'; readonly message: string }
  | { readonly kind: 'not_eligible'; readonly message: string }
  | { readonly kind: 'underage'; readonly message: string }
  | { readonly kind: 'barred'; readonly message: string }
  | { readonly kind: 'blacklisted'; readonly message: string }
  | { readonly kind: 'limit_exceeded'; readonly message: string }
  | { readonly kind: 'insufficient_funds'; readonly message: string }
  | { readonly kind: 'unsupported_network'; readonly message: string }
  | { readonly kind: 'operator_error'; readonly message: string }
  | { readonly kind: 'declined'; readonly message: string }
  | { readonly kind: 'token_invalid'; readonly message: string }
  | { readonly kind: 'not_verified'; readonly message: string }
  | { readonly kind: 'expired'; readonly message: string }
  | { readonly kind: 'outcome_unknown'; readonly message: string; readonly paymentId: number };

export interface PaymentView {
  readonly paymentId: number;
  readonly clientReference: string;
  readonly status: PaymentStatus;
  readonly msisdn: Msisdn;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly createdAt: Date;
}

export type ReverseError =
  | { readonly kind: 'not_found'; readonly message: string }
  | { readonly kind: 'not_paid'; readonly message: string };
