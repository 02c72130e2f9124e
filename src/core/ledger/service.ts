import type { Clock } from '../../kernel/clock.js';
import type { LedgerStore } from './ports.js';
import { assertAccountSpec, assertResolveRequest, assertTransferRequests, LEDGER_OWN_ID_PREFIX } from './rules.js';
import type {
  Account,
  AccountSpec,
  LedgerViolation,
  OpenAccountOutcome,
  ResolveOutcome,
  RollupOutcome,
  TransferOutcome,
  TransferRequest,
} from './types.js';

const MAX_VIOLATIONS_REPORTED = 100;
/** Transactions per rollup run: a backlog (a first run after migrating) is taken in steps of a bounded statement. */
export const ROLLUP_MAX_TRANSACTIONS = 100_000;
/** Expired pending transfers voided per run of the expiry job. */
const EXPIRY_BATCH = 500;

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

  /** Rolls ended transfers into the unflagged accounts' balances (the ledger-rollup job's one step). */
  rollUp(): Promise<RollupOutcome> {
    return this.store.rollUp(this.clock.now(), ROLLUP_MAX_TRANSACTIONS);
  }

  /** How far the rollup lags behind (LedgerStore.rollupLagMs), for the operator's metrics. */
  rollupLagMs(): Promise<number> {
    return this.store.rollupLagMs(this.clock.now());
  }

  /**
   * Voids the pending transfers past their timeout, so what they held is given back (a
   * post after the timeout is refused anyway). Each void's id is the ledger's own
   * (ledger:expired:{transfer id}), so two workers, or a run again after a crash, void each
   * once; one resolved meanwhile by its owner answers already posted or voided. Answers how
   * many it voided.
   */
  async expireDue(): Promise<number> {
    const now = this.clock.now();
    let voided = 0;
    for (const { pendingId, transferId } of await this.store.expiredPending(now, EXPIRY_BATCH)) {
      const outcome = await this.store.resolvePending({ id: `${LEDGER_OWN_ID_PREFIX}expired:${transferId}`, pendingId, action: 'void' }, now);
      if (outcome.kind === 'voided') voided += 1;
    }
    return voided;
  }

  /** Every broken invariant (balances against transfers, currencies summing to zero, pending resolved once). */
  violations(): Promise<LedgerViolation[]> {
    return this.store.violations(MAX_VIOLATIONS_REPORTED);
  }
}
