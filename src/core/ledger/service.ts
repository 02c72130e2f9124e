import type { Clock } from '../../kernel/clock.js';
import type { LedgerStore } from './ports.js';
import { assertAccountSpec, assertResolveRequest, assertTransferRequests } from './rules.js';
import type {
  Account,
  AccountSpec,
  LedgerViolation,
  OpenAccountOutcome,
  ResolveOutcome,
  TransferOutcome,
  TransferRequest,
} from './types.js';

const MAX_VIOLATIONS_REPORTED = 100;

/**
 * The general ledger: opens accounts, creates transfers (single-phase or pending, linked
 * in chains), posts or voids pending ones, and proves itself. Time is the injected clock's,
 * passed to the store, so tests can move it past a pending transfer's timeout.
 */
export class LedgerService {
  constructor(
    private readonly store: LedgerStore,
    private readonly clock: Clock,
  ) {}

  openAccount(spec: AccountSpec): Promise<OpenAccountOutcome> {
    assertAccountSpec(spec);
    return this.store.openAccount(spec, this.clock.now());
  }

  accounts(codes: readonly string[]): Promise<Account[]> {
    return this.store.accounts(codes);
  }

  /** One outcome per request, in order; at most LEDGER_LIMITS.maxTransfersPerBatch per call. */
  createTransfers(requests: readonly TransferRequest[]): Promise<TransferOutcome[]> {
    assertTransferRequests(requests);
    return this.store.createTransfers(requests, this.clock.now());
  }

  /** Posts a pending transfer: all of it, or amountMinor of it (the rest is released). */
  post(id: string, pendingId: string, amountMinor?: bigint): Promise<ResolveOutcome> {
    const request = { id, pendingId, action: 'post' as const, ...(amountMinor === undefined ? {} : { amountMinor }) };
    assertResolveRequest(request);
    return this.store.resolvePending(request, this.clock.now());
  }

  /** Voids a pending transfer: its whole amount is released. */
  void(id: string, pendingId: string): Promise<ResolveOutcome> {
    const request = { id, pendingId, action: 'void' as const };
    assertResolveRequest(request);
    return this.store.resolvePending(request, this.clock.now());
  }

  /** Every broken invariant (balances against transfers, currencies summing to zero, pending resolved once). */
  violations(): Promise<LedgerViolation[]> {
    return this.store.violations(MAX_VIOLATIONS_REPORTED);
  }
}
