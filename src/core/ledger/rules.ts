import { assert } from '../../kernel/assert.js';
import { assertAmountMinor, isCurrency } from '../../kernel/money.js';
import {
  type AccountFlag,
  type AccountSpec,
  type Balances,
  LEDGER_LIMITS,
  type ResolveRequest,
  TRANSFER_CODES,
  type TransferRefusal,
  type TransferRequest,
} from './types.js';

/**
 * The ledger's rules, as pure functions: what a well-formed request is (a malformed one is
 * the caller's bug, so it asserts), how a chain is named, what a flag allows. The SQL
 * functions enforce the same rules in the database; the in-memory fake applies these.
 */

const ACCOUNT_CODE = /^[a-z][a-z_]*:[^\s:]+(:[^\s:]+)*$/;
const OWNER_KIND = /^[a-z][a-z_]{0,31}$/;

export function assertAccountSpec(spec: AccountSpec): void {
  assert(spec.code.length >= 3 && spec.code.length <= LEDGER_LIMITS.maxAccountCodeLength && ACCOUNT_CODE.test(spec.code), `bad account code: ${spec.code}`);
  assert(OWNER_KIND.test(spec.ownerKind), `bad owner kind: ${spec.ownerKind}`);
  assert(spec.ownerId.length >= 1 && spec.ownerId.length <= LEDGER_LIMITS.maxOwnerIdLength, 'owner id length');
  assert(isCurrency(spec.currency), `unknown currency: ${spec.currency}`);
}

/** Ids of the ledger's own transfers (the void of an expired pending transfer) start so; no caller's may. */
export const LEDGER_OWN_ID_PREFIX = 'ledger:';

function assertId(id: string, what: string): void {
  assert(id.length >= 1 && id.length <= LEDGER_LIMITS.maxIdLength, `${what} must be 1 to ${LEDGER_LIMITS.maxIdLength} characters`);
  assert(!id.startsWith(LEDGER_OWN_ID_PREFIX), `${what} must not start with ${LEDGER_OWN_ID_PREFIX} (the ledger's own ids)`);
}

export function assertTransferRequests(requests: readonly TransferRequest[]): void {
  assert(requests.length >= 1 && requests.length <= LEDGER_LIMITS.maxTransfersPerBatch, `1 to ${LEDGER_LIMITS.maxTransfersPerBatch} transfers per batch, got ${requests.length}`);
  for (const r of requests) {
    assertId(r.id, 'a transfer id');
    assertAmountMinor(r.amountMinor);
    assert(isCurrency(r.currency), `unknown currency: ${r.currency}`);
    assert((TRANSFER_CODES as readonly string[]).includes(r.code), `unknown transfer code: ${r.code}`);
    if (r.chain !== undefined) assertId(r.chain, 'a chain key');
    if (r.pending?.timeoutAt !== undefined) assert(!Number.isNaN(r.pending.timeoutAt.getTime()), 'a pending timeout must be a valid time');
  }
}

export function assertResolveRequest(request: ResolveRequest): void {
  assertId(request.id, 'a post or void id');
  assertId(request.pendingId, 'a pending transfer id');
  if (request.amountMinor !== undefined) assertAmountMinor(request.amountMinor);
}

/**
 * The chain id each transfer is recorded with: the id of the first transfer of the batch
 * with the same chain key, so a chain keeps one name however the caller keyed it; null
 * for an unlinked transfer.
 */
export function chainIds(requests: readonly TransferRequest[]): (string | null)[] {
  const first = new Map<string, string>();
  return requests.map((r) => {
    if (r.chain === undefined) return null;
    if (!first.has(r.chain)) first.set(r.chain, r.id);
    return first.get(r.chain) as string;
  });
}

/** The flag an account's balances break, as the refusal it causes; null when they hold. */
export function flagBroken(flag: AccountFlag, b: Balances): Extract<TransferRefusal, 'exceeds_credits' | 'exceeds_debits'> | null {
  if (flag === 'debits_must_not_exceed_credits' && b.debitsPendingMinor + b.debitsPostedMinor > b.creditsPostedMinor) return 'exceeds_credits';
  if (flag === 'credits_must_not_exceed_debits' && b.creditsPendingMinor + b.creditsPostedMinor > b.debitsPostedMinor) return 'exceeds_debits';
  return null;
}

/** What a transfer adds to its debited and credited accounts' balances. */
export function legs(amountMinor: bigint, phase: 'single' | 'pending'): { debit: Balances; credit: Balances } {
  const pending = phase === 'pending' ? amountMinor : 0n;
  const posted = phase === 'single' ? amountMinor : 0n;
  return {
    debit: { debitsPendingMinor: pending, debitsPostedMinor: posted, creditsPendingMinor: 0n, creditsPostedMinor: 0n },
    credit: { debitsPendingMinor: 0n, debitsPostedMinor: 0n, creditsPendingMinor: pending, creditsPostedMinor: posted },
  };
}

export function addBalances(a: Balances, b: Balances): Balances {
  return {
    debitsPendingMinor: a.debitsPendingMinor + b.debitsPendingMinor,
    debitsPostedMinor: a.debitsPostedMinor + b.debitsPostedMinor,
    creditsPendingMinor: a.creditsPendingMinor + b.creditsPendingMinor,
    creditsPostedMinor: a.creditsPostedMinor + b.creditsPostedMinor,
  };
}

/** Credits minus debits, posted only: what a credit-normal account (a wallet) holds. */
export function availableMinor(b: Balances): bigint {
  return b.creditsPostedMinor - b.debitsPostedMinor - b.debitsPendingMinor;
}
