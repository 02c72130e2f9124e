import type {
  Account,
  AccountSpec,
  LedgerViolation,
  OpenAccountOutcome,
  ResolveOutcome,
  ResolveRequest,
  RollupOutcome,
  TransferOutcome,
  TransferRequest,
} from './types.js';

/**
 * Where the ledger lives. Each call is one transaction. createTransfers answers one
 * outcome per request, in order; a linked chain is applied entirely or not at all;
 * balance flags hold at every commit, whatever runs concurrently.
 */
export interface LedgerStore {
  openAccount(spec: AccountSpec, now: Date): Promise<OpenAccountOutcome>;
  accounts(codes: readonly string[]): Promise<Account[]>;
  createTransfers(requests: readonly TransferRequest[], now: Date): Promise<TransferOutcome[]>;
  resolvePending(request: ResolveRequest, now: Date): Promise<ResolveOutcome>;
  /**
   * Takes the posted transfers whose transactions have ended since the last run (at most
   * maxTransactions of them) into their unflagged accounts' maintained balances. Balances
   * read the same before and after: it moves work off reads, never changes an answer.
   */
  rollUp(now: Date, maxTransactions: number): Promise<RollupOutcome>;
  /**
   * How long ago the oldest transfer not yet rolled up was made (0 when there is none). It
   * stays about a rollup interval; one that grows says the rollup is stuck: a long
   * transaction anywhere in the cluster holds its horizon back, or its job is not running.
   */
  rollupLagMs(now: Date): Promise<number>;
  /** Pending transfers still pending at their timeout (at most limit, the oldest timeout first): their idempotency ids and transfer ids. */
  expiredPending(now: Date, limit: number): Promise<{ readonly pendingId: string; readonly transferId: number }[]>;
  /** Every broken invariant (at most limit); none when the ledger is sound. */
  violations(limit: number): Promise<LedgerViolation[]>;
}
