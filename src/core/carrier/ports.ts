import type { Currency } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';

export interface Operator {
  readonly mccMnc: string; // "242-01"
  readonly name: string;
  readonly country: string; // ISO 3166 alpha-2
  readonly currency: Currency;
}

/** Where the subscriber stands with the payment service. */
export type Registration = 'unregistered' | 'registered' | 'eligible' | 'barred' | 'verified';

export interface SubscriberLimits {
  readonly perTransactionMinor: bigint;
  /** null: no limit applies. */
  readonly monthlyMinor: bigint | null;
  readonly yearlyMinor: bigint | null;
}

export interface SubscriberProfile {
  readonly msisdn: Msisdn;
  readonly operator: Operator;
  /** The operator the number was ported from, when it was. */
  readonly portedFrom: Operator | null;
  /** false: the operator does not know the subscriber. */
  readonly known: boolean;
  readonly registration: Registration;
  readonly age: number | null;
  readonly subscription: 'postpaid' | 'prepaid' | 'unknown';
  readonly fundingSource: 'operator' | 'card' | 'unknown';
  readonly limits: SubscriberLimits;
  /**
   * How the operator collects a charge. 'invoice': the charge goes on the subscriber's
   * bill from our ledger (the operator is billed from the journal, as postpaid
   * subscribers are), so recording it is the charge and no call is made.
   * 'realtime': the operator must debit now (prepaid balance, payment card, operators
   * that charge online) through CarrierNetwork.debit.
   */
  readonly billing: 'invoice' | 'realtime';
  /** Test subscribers are never charged. */
  readonly whitelisted: boolean;
  readonly terminalType: string;
}

export interface DebitRequest {
  /** Idempotency key at the operator: a repeated reference never debits twice. */
  readonly reference: string;
  readonly msisdn: Msisdn;
  readonly operator: Operator;
  readonly amountMinor: bigint;
  readonly currency: Currency;
}

export type CreditRequest = Omit<DebitRequest, 'operator'>;

export type DebitRefusal = 'unknown_subscriber' | 'insufficient_funds' | 'barred' | 'operator_error';

export type DebitOutcome =
  | { readonly kind: 'debited' }
  | { readonly kind: 'refused'; readonly reason: DebitRefusal }
  /** The operator did not answer in time; ask debitStatus later. */
  | { readonly kind: 'unknown' };

/** The carrier network port, implemented by connectors (sandbox, SMPP, …). */
export interface CarrierNetwork {
  subscriber(msisdn: Msisdn): Promise<SubscriberProfile>;
  debit(request: DebitRequest): Promise<DebitOutcome>;
  /**
   * Outcome of a debit whose answer was not seen (late operator, crash, timeout);
   * requestedAt is when it was reserved. May be asked while that debit is still on its way.
   */
  debitStatus(request: DebitRequest, requestedAt: Date): Promise<DebitOutcome>;
  /** Gives a debit back; idempotent on the reference. */
  credit(request: CreditRequest): Promise<void>;
}
