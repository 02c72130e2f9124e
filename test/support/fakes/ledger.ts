import type { LedgerStore } from '../../../src/core/ledger/ports.js';
import { addBalances, chainIds, flagBroken, legs } from '../../../src/core/ledger/rules.js';
import type {
  Account,
  AccountSpec,
  Balances,
  LedgerViolation,
  OpenAccountOutcome,
  ResolveOutcome,
  ResolveRequest,
  RollupOutcome,
  TransferOutcome,
  TransferRefusal,
  TransferRequest,
  TransferState,
} from '../../../src/core/ledger/types.js';

interface StoredTransfer {
  readonly transferId: number;
  readonly id: string;
  readonly debitAccount: string;
  readonly creditAccount: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly code: string;
  readonly phase: 'single' | 'pending' | 'post' | 'void';
  /** When it was made, by the caller's clock. */
  readonly createdAtMs: number;
  state: TransferState;
  readonly pendingTransferId: number | null;
  readonly chainId: string | null;
  readonly timeoutAt: Date | null;
}

const ZERO: Balances = { debitsPendingMinor: 0n, debitsPostedMinor: 0n, creditsPendingMinor: 0n, creditsPostedMinor: 0n };

/**
 * LedgerStore in memory, with the SQL functions' rules (the ledger contract tests run on
 * both): idempotent by id, a chain all or nothing, a batch judged on its net effect per
 * account and, when that breaks a flag, chain by chain in order; a pending transfer
 * resolved once. Each call completes before it yields, as each SQL call is one transaction.
 */
export class InMemoryLedger implements LedgerStore {
  readonly #accounts = new Map<string, Account>();
  readonly #transfers = new Map<string, StoredTransfer>();
  #nextId = 1;
  /** Transfers with an id below this are rolled up (here each call is one transaction). */
  #rolledUpBelow = 1;
  /** The clock of the call under way (each call is one transaction, as in the store). */
  #nowMs = 0;

  async openAccount(spec: AccountSpec): Promise<OpenAccountOutcome> {
    const existing = this.#accounts.get(spec.code);
    if (!existing) {
      const account = { ...spec, ...ZERO };
      this.#accounts.set(spec.code, account);
      return { kind: 'opened', account };
    }
    const same = existing.ownerKind === spec.ownerKind && existing.ownerId === spec.ownerId && existing.currency === spec.currency && existing.flag === spec.flag;
    return { kind: same ? 'exists' : 'exists_with_different_fields', account: existing };
  }

  async accounts(codes: readonly string[]): Promise<Account[]> {
    return codes.flatMap((code) => this.#accounts.get(code) ?? []);
  }

  async createTransfers(requests: readonly TransferRequest[], now: Date): Promise<TransferOutcome[]> {
    this.#nowMs = now.getTime();
    const chains = chainIds(requests);
    const all = requests.map((r, i) => ({ r, i, chain: chains[i] ?? null }));
    const whole = this.#apply(all);
    if (whole.applied) return whole.outcomes;
    // The batch's net effect broke a flag: chain by chain, in batch order.
    const outcomes: TransferOutcome[] = new Array(requests.length);
    const byChain = new Map<string, typeof all>();
    for (const item of all) byChain.set(item.chain ?? item.r.id, [...(byChain.get(item.chain ?? item.r.id) ?? []), item]);
    for (const members of byChain.values()) {
      const result = this.#apply(members);
      const culprit = result.applied ? -1 : this.#culprit(members);
      members.forEach((m, k) => {
        outcomes[m.i] = result.applied ? (result.outcomes[k] as TransferOutcome) : { kind: k === culprit ? (result.broken as TransferRefusal) : 'linked_event_failed' };
      });
    }
    return outcomes;
  }

  /** Judges and applies items as one set; nothing changes if the net effect breaks a flag. */
  #apply(items: readonly { r: TransferRequest; chain: string | null }[]): { applied: boolean; outcomes: TransferOutcome[]; broken?: string } {
    const ids = items.map((x) => x.r.id);
    const verdicts = items.map(({ r, chain }) => this.#judge(r, chain, ids.filter((id) => id === r.id).length));
    const chainOk = new Map<string, boolean>();
    items.forEach(({ r, chain }, k) => {
      const key = chain ?? r.id;
      chainOk.set(key, (chainOk.get(key) ?? true) && (verdicts[k] === 'created' || verdicts[k] === 'exists'));
    });
    const outcomes: TransferOutcome[] = [];
    const deltas = new Map<string, Balances>();
    const created: StoredTransfer[] = [];
    items.forEach(({ r, chain }, k) => {
      const verdict = verdicts[k] as string;
      if (verdict === 'exists') {
        const t = this.#transfers.get(r.id) as StoredTransfer;
        outcomes.push({ kind: 'exists', transferId: t.transferId, state: t.state });
      } else if (verdict !== 'created') outcomes.push({ kind: verdict as TransferRefusal });
      else if (!chainOk.get(chain ?? r.id)) outcomes.push({ kind: 'linked_event_failed' });
      else {
        const phase = r.pending ? 'pending' : 'single';
        const t: StoredTransfer = {
          transferId: this.#nextId + created.length, id: r.id, debitAccount: r.debitAccount, creditAccount: r.creditAccount,
          amountMinor: r.amountMinor, currency: r.currency, code: r.code, phase, state: r.pending ? 'pending' : 'posted',
          pendingTransferId: null, chainId: chain, timeoutAt: r.pending?.timeoutAt ?? null, createdAtMs: this.#nowMs,
        };
        created.push(t);
        outcomes.push({ kind: 'created', transferId: t.transferId, state: t.state });
        const { debit, credit } = legs(r.amountMinor, phase);
        deltas.set(r.debitAccount, addBalances(deltas.get(r.debitAccount) ?? ZERO, debit));
        deltas.set(r.creditAccount, addBalances(deltas.get(r.creditAccount) ?? ZERO, credit));
      }
    });
    const after = new Map([...deltas].map(([code, d]) => [code, { ...(this.#accounts.get(code) as Account), ...addBalances(this.#accounts.get(code) as Account, d) }]));
    const broken = [...after.values()].map((a) => flagBroken(a.flag, a)).find((b) => b !== null);
    if (broken) return { applied: false, outcomes: [], broken };
    for (const [code, account] of after) this.#accounts.set(code, account);
    for (const t of created) this.#transfers.set(t.id, t);
    this.#nextId += created.length;
    return { applied: true, outcomes };
  }

  /** The member of a chain that breaks a flag when its members are applied one by one (then undone). */
  #culprit(members: readonly { r: TransferRequest; chain: string | null }[]): number {
    const saved = { accounts: new Map(this.#accounts), transfers: new Map(this.#transfers), nextId: this.#nextId };
    let culprit = 0;
    for (const [k, m] of members.entries()) {
      if (!this.#apply([m]).applied) {
        culprit = k;
        break;
      }
    }
    this.#restore(saved);
    return culprit;
  }

  #restore(saved: { accounts: Map<string, Account>; transfers: Map<string, StoredTransfer>; nextId: number }): void {
    this.#accounts.clear();
    for (const [k, v] of saved.accounts) this.#accounts.set(k, v);
    this.#transfers.clear();
    for (const [k, v] of saved.transfers) this.#transfers.set(k, v);
    this.#nextId = saved.nextId;
  }

  #judge(r: TransferRequest, chain: string | null, uses: number): string {
    if (uses > 1) return 'id_used_twice';
    const existing = this.#transfers.get(r.id);
    if (existing) {
      const same = existing.debitAccount === r.debitAccount && existing.creditAccount === r.creditAccount && existing.amountMinor === r.amountMinor
        && existing.currency === r.currency && existing.code === r.code && existing.phase === (r.pending ? 'pending' : 'single')
        && (existing.timeoutAt?.getTime() ?? null) === (r.pending?.timeoutAt?.getTime() ?? null) && existing.chainId === chain;
      return same ? 'exists' : 'exists_with_different_fields';
    }
    const debit = this.#accounts.get(r.debitAccount);
    const credit = this.#accounts.get(r.creditAccount);
    if (!debit) return 'debit_account_not_found';
    if (!credit) return 'credit_account_not_found';
    if (debit === credit) return 'accounts_must_be_different';
    if (debit.currency !== r.currency || credit.currency !== r.currency) return 'currency_mismatch';
    return 'created';
  }

  async expiredPending(now: Date, limit: number): Promise<{ pendingId: string; transferId: number }[]> {
    return [...this.#transfers.values()]
      .filter((t) => t.phase === 'pending' && t.state === 'pending' && t.timeoutAt !== null && t.timeoutAt <= now)
      .sort((a, b) => (a.timeoutAt as Date).getTime() - (b.timeoutAt as Date).getTime())
      .slice(0, limit)
      .map((t) => ({ pendingId: t.id, transferId: t.transferId }));
  }

  async resolvePending(request: ResolveRequest, now: Date): Promise<ResolveOutcome> {
    this.#nowMs = now.getTime();
    const pending = this.#transfers.get(request.pendingId);
    if (!pending) return { kind: 'pending_transfer_not_found' };
    if (pending.phase !== 'pending') return { kind: 'not_a_pending_transfer' };
    const amountMinor = request.action === 'void' ? pending.amountMinor : (request.amountMinor ?? pending.amountMinor);
    const existing = this.#transfers.get(request.id);
    if (existing) {
      const same = existing.pendingTransferId === pending.transferId && existing.phase === request.action && existing.amountMinor === amountMinor;
      return same ? { kind: 'exists', transferId: existing.transferId, state: existing.state } : { kind: 'exists_with_different_fields' };
    }
    if (pending.state !== 'pending') return { kind: pending.state === 'posted' ? 'pending_transfer_already_posted' : 'pending_transfer_already_voided' };
    if (request.action === 'post' && pending.timeoutAt && pending.timeoutAt <= now) return { kind: 'pending_transfer_expired' };
    if (request.action === 'void' && request.amountMinor !== undefined && request.amountMinor !== pending.amountMinor) {
      return { kind: 'void_amount_must_be_pending_amount' };
    }
    if (amountMinor > pending.amountMinor) return { kind: 'exceeds_pending_transfer_amount' };
    const state: TransferState = request.action === 'post' ? 'posted' : 'voided';
    const t: StoredTransfer = {
      ...pending, transferId: this.#nextId, id: request.id, amountMinor, phase: request.action, state,
      pendingTransferId: pending.transferId, chainId: null, timeoutAt: null, createdAtMs: this.#nowMs,
    };
    this.#nextId += 1;
    this.#transfers.set(t.id, t);
    pending.state = state;
    const release = legs(pending.amountMinor, 'pending');
    const post = request.action === 'post' ? legs(amountMinor, 'single') : { debit: ZERO, credit: ZERO };
    this.#shift(pending.debitAccount, release.debit, post.debit);
    this.#shift(pending.creditAccount, release.credit, post.credit);
    return { kind: state, transferId: t.transferId, state };
  }

  /** Takes `release` off an account's balances and adds `add`. */
  #shift(code: string, release: Balances, add: Balances): void {
    const a = this.#accounts.get(code) as Account;
    const negated = { debitsPendingMinor: -release.debitsPendingMinor, debitsPostedMinor: -release.debitsPostedMinor, creditsPendingMinor: -release.creditsPendingMinor, creditsPostedMinor: -release.creditsPostedMinor };
    this.#accounts.set(code, { ...a, ...addBalances(addBalances(a, negated), add) });
  }

  /**
   * Balances are maintained on every account here, so a rollup only moves its mark, over
   * the posted transfers created since the last run, as the SQL rollup does.
   */
  async rollUp(_now: Date, maxTransactions: number): Promise<RollupOutcome> {
    const below = Math.min(this.#nextId, this.#rolledUpBelow + maxTransactions);
    const rolled = [...this.#transfers.values()].filter((t) => t.transferId >= this.#rolledUpBelow && t.transferId < below && (t.phase === 'single' || t.phase === 'post'));
    const accounts = new Set(rolled.flatMap((t) => [t.debitAccount, t.creditAccount]).filter((code) => this.#accounts.get(code)?.flag === 'none'));
    this.#rolledUpBelow = below;
    return { transfers: rolled.length, accounts: accounts.size, complete: below === this.#nextId };
  }

  async rollupLagMs(now: Date): Promise<number> {
    const waiting = [...this.#transfers.values()].filter((t) => t.transferId >= this.#rolledUpBelow).map((t) => t.createdAtMs);
    return waiting.length === 0 ? 0 : Math.max(0, now.getTime() - Math.min(...waiting));
  }

  async violations(): Promise<LedgerViolation[]> {
    const sums = new Map<string, Balances>();
    for (const t of this.#transfers.values()) {
      const phase = t.phase === 'pending' ? (t.state === 'pending' ? 'pending' : null) : t.phase === 'void' ? null : 'single';
      if (phase === null) continue;
      const { debit, credit } = legs(t.amountMinor, phase);
      sums.set(t.debitAccount, addBalances(sums.get(t.debitAccount) ?? ZERO, debit));
      sums.set(t.creditAccount, addBalances(sums.get(t.creditAccount) ?? ZERO, credit));
    }
    const out: LedgerViolation[] = [];
    for (const a of this.#accounts.values()) {
      const s = sums.get(a.code) ?? ZERO;
      const keys = ['debitsPendingMinor', 'debitsPostedMinor', 'creditsPendingMinor', 'creditsPostedMinor'] as const;
      if (keys.some((k) => a[k] !== s[k])) out.push({ violation: 'balance', subject: a.code, detail: 'maintained balances differ from the transfers' });
      if (flagBroken(a.flag, a)) out.push({ violation: 'flag', subject: a.code, detail: 'balances break the flag' });
    }
    return out;
  }
}
