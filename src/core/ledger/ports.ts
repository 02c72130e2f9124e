import type {
  Account,
  AccountSpec,
  LedgerViolation,
  OpenAccountOutcome,
  ResolveOutcome,
  ResolveRequest,
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
  /** Every broken invariant (at most limit); none when the ledger is sound. */
  violations(limit: number): Promise<LedgerViolation[]>;
}
