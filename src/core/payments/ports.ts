import type { Currency } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { PaymentStatus, PaymentView, PinApproval, PinRefusal } from './types.js';

export interface ChargeRecord {
  serviceId: number;
  merchantId: number;
  clientReference: string;
  detailsHash: string;
  msisdn: Msisdn;
  operator: string;
  amountMinor: bigint;
  currency: Currency;
  /** The facade's product id of the charge. */
  productCode: string;
  /** A test subscriber's charge is recorded as paid at once and never sent to the operator. */
  testSubscriber: boolean;
  /** The operator collects it from the invoice: recorded as paid, no debit call. */
  paidAtOnce: boolean;
  /** Collected only once the subscriber confirms (consent by prompt). */
  needsConfirmation: boolean;
  monthPeriod: string;
  monthLimitMinor: bigint | null;
  yearPeriod: string;
  yearLimitMinor: bigint | null;
  debitAccount: string;
  creditAccount: string;
  details: Readonly<Record<string, unknown>>;
  /** The platform clock's time of the reservation: the attempt's created_at, and settled_at when paid at once. */
  reservedAt: Date;
  /** The PIN that approves the charge, judged before anything is reserved (clientReference is then a UUID). */
  pin?: PinApproval | undefined;
}

export type ReserveOutcome =
  | { kind: 'reserved'; paymentId: number; attempt: number; status: 'pending' | 'paid' }
  | { kind: 'duplicate'; paymentId: number; status: PaymentStatus }
  | { kind: 'conflict'; paymentId: number }
  | { kind: 'refused'; reason: 'blocked' | 'limit_monthly' | 'limit_yearly' }
  /** The record's PIN did not approve it: nothing reserved (a wrong guess is counted). */
  | { kind: 'pin_refused'; reason: PinRefusal };

export interface PendingPayment extends PaymentView {
  readonly serviceId: number;
  readonly merchantId: number;
  readonly operator: string;
  /** Attempts of this ClientReference so far; a refused attempt frees the reference. */
  readonly attempt: number;
  /** Whether this attempt is collected only once the subscriber confirms. */
  readonly needsConfirmation: boolean;
  /** What identifies a retry of the same request (§17: same details). */
  readonly detailsHash: string;
  /** The subscriber's answer to this attempt's confirmation prompt, if one was asked. */
  readonly confirmation: 'none' | 'waiting' | 'confirmed' | 'declined' | 'expired';
}

/** Which pending payments to list; at: the platform clock's time, for the confirmations' expiry. */
export interface PendingQuery {
  readonly at: Date;
  readonly createdBefore: Date;
  readonly limit: number;
  readonly after?: PendingCursor | undefined;
}

/** A position in the list of pending payments (by id, which follows creation). */
export interface PendingCursor {
  readonly paymentId: number;
}

export type ReverseOutcome =
  | { kind: 'reversed' | 'already_reversed'; clientReference: string }
  | { kind: 'not_found' }
  | { kind: 'not_paid'; status: PaymentStatus };

/** The payments ledger. Every method is one transaction; all are scoped by service. */
export interface PaymentRepository {
  /** Reserves a charge (idempotency, blocklist, spend limits) before the operator is asked. */
  reserveCharge(record: ChargeRecord): Promise<ReserveOutcome>;
  /** at: the platform clock's time, against which a waiting confirmation has expired or not. */
  findByReference(serviceId: number, clientReference: string, at: Date): Promise<PendingPayment | null>;
  /** reversedAt: the platform clock's time of the reversal. */
  reverse(serviceId: number, paymentId: number, reversedAt: Date): Promise<ReverseOutcome>;
  /** Pending payments created before the given time, in id order, after the cursor when given. */
  listPending(query: PendingQuery): Promise<PendingPayment[]>;
  /** Settles one pending attempt at settledAt (the platform clock's time); answers the payment's status afterwards, whoever settled it. */
  settle(
    paymentId: number,
    attempt: number,
    status: 'paid' | 'failed',
    debitAccount: string,
    creditAccount: string,
    settledAt: Date,
  ): Promise<PaymentStatus | 'superseded'>;
  /**
   * Settles an attempt whose debit the operator confirmed. When the attempt can no longer
   * be paid (failed meanwhile, or superseded), the debit's give-back is queued in the same
   * transaction, once per debit reference.
   */
  settleDebited(
    debit: { paymentId: number; attempt: number; msisdn: Msisdn; amountMinor: bigint; currency: Currency },
    debitAccount: string,
    creditAccount: string,
    settledAt: Date,
  ): Promise<PaymentStatus | 'superseded'>;
  spentInPeriods(msisdn: Msisdn, currency: Currency, periods: readonly string[]): Promise<Map<string, bigint>>;
}


/** Observes charge outcomes (metrics). */
export type ChargeObserver = (outcome: string) => void;
