import type { Currency } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { PaymentStatus, PaymentView } from './types.js';

export interface ChargeRecord {
  serviceId: number;
  merchantId: number;
  clientReference: string;
  detailsHash: string;
  msisdn: Msisdn;
  operator: string;
  amountMinor: bigint;
  currency: Currency;
  serviceCode: string;
  status: 'paid' | 'pending';
  testSubscriber: boolean;
  monthPeriod: string;
  monthLimitMinor: bigint | null;
  yearPeriod: string;
  yearLimitMinor: bigint | null;
  debitAccount: string;
  creditAccount: string;
  details: Readonly<Record<string, unknown>>;
}

export type RecordOutcome =
  | { kind: 'recorded'; paymentId: number }
  | { kind: 'duplicate'; paymentId: number; status: PaymentStatus }
  | { kind: 'conflict'; paymentId: number }
  | { kind: 'refused'; reason: 'blocked' | 'limit_monthly' | 'limit_yearly' };

export interface PendingPayment extends PaymentView {
  readonly serviceId: number;
  readonly merchantId: number;
  readonly operator: string;
}

export type ReverseOutcome =
  | { kind: 'reversed' | 'already_reversed'; clientReference: string }
  | { kind: 'not_found' }
  | { kind: 'not_paid'; status: PaymentStatus };

/** The payments ledger. Every method is one transaction; all are scoped by service. */
export interface PaymentRepository {
  recordCharge(record: ChargeRecord): Promise<RecordOutcome>;
  findByReference(serviceId: number, clientReference: string): Promise<PendingPayment | null>;
  reverse(serviceId: number, paymentId: number): Promise<ReverseOutcome>;
  /** Pending payments created before the given time, oldest first. */
  listPending(createdBefore: Date, limit: number): Promise<PendingPayment[]>;
  settle(paymentId: number, status: 'paid' | 'failed', debitAccount: string, creditAccount: string): Promise<boolean>;
  spentInPeriods(msisdn: Msisdn, currency: Currency, periods: readonly string[]): Promise<Map<string, bigint>>;
}

export interface OutboxPort {
  enqueue(topic: string, payload: Record<string, unknown>): Promise<void>;
}

/** Observes charge outcomes (metrics). */
export type ChargeObserver = (outcome: string) => void;
