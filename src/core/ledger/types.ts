import type { Currency } from '../../kernel/money.js';

/**
 * The general ledger's vocabulary (decision 34), after TigerBeetle's accounts and
 * transfers: an account per owner, purpose and currency with maintained balances; a
 * transfer moves an amount from one account (debited) to another (credited) of the same
 * currency, at once (single-phase) or in two phases (pending, then posted or voided).
 */

/** Who an account belongs to. */
export type OwnerKind = 'merchant' | 'operator' | 'test_operator' | 'subscriber' | 'wallet' | 'voucher' | 'payment' | 'platform';

/** What a transfer is for; one code per kind of money movement. */
export const TRANSFER_CODES = [
  'charge',
  'reversal',
  'refund',
  'top_up',
  'wallet_transfer',
  'voucher_redemption',
  'mobile_top_up',
] as const;
export type TransferCode = (typeof TRANSFER_CODES)[number];

/** Limits the ledger enforces on what it is asked (the SQL functions check the same). */
export const LEDGER_LIMITS = {
  maxTransfersPerBatch: 64,
  maxIdLength: 200,
  maxAccountCodeLength: 200,
  maxOwnerIdLength: 100,
} as const;

/**
 * At most one flag per account. debitsMustNotExceedCredits: debits (pending and posted)
 * never exceed posted credits — a wallet, which must not go negative.
 * creditsMustNotExceedDebits: the mirror, for an account that may only give back what it
 * took in (a payment's refundable account: refunds never pass what was charged).
 */
export type AccountFlag = 'none' | 'debits_must_not_exceed_credits' | 'credits_must_not_exceed_debits';

export interface AccountSpec {
  /** Unique name, e.g. merchant:12:NOK, wallet:+4790000020:USD. */
  readonly code: string;
  readonly ownerKind: OwnerKind;
  readonly ownerId: string;
  readonly currency: Currency;
  readonly flag: AccountFlag;
}

export interface Balances {
  readonly debitsPendingMinor: bigint;
  readonly debitsPostedMinor: bigint;
  readonly creditsPendingMinor: bigint;
  readonly creditsPostedMinor: bigint;
}

export interface Account extends AccountSpec, Balances {}

export type OpenAccountOutcome =
  | { readonly kind: 'opened' | 'exists'; readonly account: Account }
  | { readonly kind: 'exists_with_different_fields'; readonly account: Account };

/** A single-phase or pending transfer, as asked for. */
export interface TransferRequest {
  /** The idempotency id: a retry with the same id and fields answers the first result. */
  readonly id: string;
  readonly debitAccount: string;
  readonly creditAccount: string;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly code: TransferCode;
  /** Pending (two-phase): the amount is held in the pending balances until posted or voided. */
  readonly pending?: { readonly timeoutAt?: Date };
  /**
   * Transfers of one batch with the same chain key succeed or fail together. The key is
   * local to the batch; the ledger records the chain by its first transfer's id.
   */
  readonly chain?: string;
}

export type TransferState = 'posted' | 'pending' | 'voided';

/** Why a transfer was not created: one kind per cause. */
export type TransferRefusal =
  | 'exists_with_different_fields'
  | 'id_used_twice'
  | 'debit_account_not_found'
  | 'credit_account_not_found'
  | 'accounts_must_be_different'
  | 'currency_mismatch'
  | 'exceeds_credits'
  | 'exceeds_debits'
  /** Another transfer of its linked chain was refused. */
  | 'linked_event_failed';

export type TransferOutcome =
  | { readonly kind: 'created' | 'exists'; readonly transferId: number; readonly state: TransferState }
  | { readonly kind: TransferRefusal };

/** Posts (all or part of the amount) or voids a pending transfer. */
export interface ResolveRequest {
  /** The idempotency id of the post or void itself. */
  readonly id: string;
  /** The idempotency id of the pending transfer. */
  readonly pendingId: string;
  readonly action: 'post' | 'void';
  /** Post only: less than the pending amount posts that and releases the rest; omitted posts all. */
  readonly amountMinor?: bigint;
}

export type ResolveRefusal =
  | 'exists_with_different_fields'
  | 'pending_transfer_not_found'
  | 'not_a_pending_transfer'
  | 'pending_transfer_already_posted'
  | 'pending_transfer_already_voided'
  | 'pending_transfer_expired'
  | 'exceeds_pending_transfer_amount'
  | 'void_amount_must_be_pending_amount';

export type ResolveOutcome =
  | { readonly kind: 'posted' | 'voided' | 'exists'; readonly transferId: number; readonly state: TransferState }
  | { readonly kind: ResolveRefusal };

/** One broken invariant found by the ledger check. */
export interface LedgerViolation {
  readonly violation: 'balance' | 'currency' | 'resolution' | 'flag';
  readonly subject: string;
  readonly detail: string;
}

/** What one rollup run did: transfers taken into unflagged accounts' balances, accounts written. */
export interface RollupOutcome {
  readonly transfers: number;
  readonly accounts: number;
  /** False when the run stopped at its bound with ended transactions left for the next one. */
  readonly complete: boolean;
}
