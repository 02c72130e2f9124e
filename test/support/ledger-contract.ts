import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { LedgerStore } from '../../src/core/ledger/ports.js';
import { availableMinor } from '../../src/core/ledger/rules.js';
import { LedgerService } from '../../src/core/ledger/service.js';
import type { AccountFlag, OwnerKind, TransferCode, TransferOutcome, TransferRequest } from '../../src/core/ledger/types.js';
import type { Currency } from '../../src/kernel/money.js';
import { FakeClock } from './fakes/clock.js';
import { rollUpUntil } from './rollup.js';

/**
 * The ledger's rules as scenarios, run on the in-memory fake (test/unit/core) and on the
 * SQL store (test/db, PGlite and PostgreSQL): the fake is only worth its speed if it
 * answers as the database does. Each scenario opens accounts of its own and ends with the
 * invariant check.
 */
export function ledgerContract(store: () => LedgerStore): void {
  const clock = new FakeClock();
  let counter = 0;
  const ledger = () => new LedgerService(store(), clock);
  const unique = (prefix: string) => `${prefix}-${process.pid}-${(counter += 1)}`;

  async function account(ownerKind: OwnerKind, flag: AccountFlag = 'none', currency: Currency = 'USD'): Promise<string> {
    const ownerId = unique(ownerKind);
    const code = `${ownerKind}:${ownerId}:${currency}`;
    const opened = await ledger().openAccount({ code, ownerKind, ownerId, currency, flag });
    assert.equal(opened.kind, 'opened');
    return code;
  }
  const transfer = (debitAccount: string, creditAccount: string, amountMinor: bigint, extra: Partial<TransferRequest> = {}): TransferRequest => ({
    id: unique('t'), debitAccount, creditAccount, amountMinor, currency: 'USD', code: 'top_up' as TransferCode, ...extra,
  });
  const kinds = (outcomes: readonly TransferOutcome[]) => outcomes.map((o) => ('state' in o ? `${o.kind} ${o.state}` : o.kind));
  async function balances(code: string) {
    const [a] = await ledger().accounts([code]);
    assert.ok(a);
    return [a.debitsPendingMinor, a.debitsPostedMinor, a.creditsPendingMinor, a.creditsPostedMinor];
  }
  /** The invariants hold, and hold again once the unflagged accounts' balances are rolled up. */
  async function assertSound() {
    assert.deepEqual(await ledger().violations(), []);
    assert.equal((await ledger().rollUp()).complete, true);
    assert.deepEqual(await ledger().violations(), []);
  }
  /** A wallet holding amountMinor, topped up from a funding account. */
  async function walletWith(amountMinor: bigint) {
    const funding = await account('platform');
    const wallet = await account('wallet', 'debits_must_not_exceed_credits');
    assert.deepEqual(kinds(await ledger().createTransfers([transfer(funding, wallet, amountMinor)])), ['created posted']);
    return { funding, wallet };
  }

  it('opening an account again answers exists; with other fields, exists_with_different_fields', async () => {
    const code = await account('merchant');
    const ownerId = code.split(':')[1] as string;
    const spec = { code, ownerKind: 'merchant' as const, ownerId, currency: 'USD' as const, flag: 'none' as const };
    assert.equal((await ledger().openAccount(spec)).kind, 'exists');
    assert.equal((await ledger().openAccount({ ...spec, flag: 'debits_must_not_exceed_credits' })).kind, 'exists_with_different_fields');
    assert.equal((await ledger().openAccount({ ...spec, currency: 'NOK' })).kind, 'exists_with_different_fields');
  });

  it('a transfer moves the amount; a retry answers the first transfer; other details under its id are refused', async () => {
    const { funding, wallet } = await walletWith(500n);
    const spend = transfer(wallet, funding, 200n, { code: 'wallet_transfer' });
    const [first] = await ledger().createTransfers([spend]);
    assert.ok(first && first.kind === 'created');
    assert.deepEqual(await ledger().createTransfers([spend]), [{ kind: 'exists', transferId: first.transferId, state: 'posted' }]);
    for (const changed of [{ amountMinor: 201n }, { creditAccount: wallet, debitAccount: funding }, { code: 'refund' as const }, { pending: {} }]) {
      assert.deepEqual(kinds(await ledger().createTransfers([{ ...spend, ...changed }])), ['exists_with_different_fields']);
    }
    assert.deepEqual(await balances(wallet), [0n, 200n, 0n, 500n]);
    assert.deepEqual(await balances(funding), [0n, 500n, 0n, 200n]);
    await assertSound();
  });

  it('a wallet is never debited past its credits; an account flagged the other way never credited past its debits', async () => {
    const { funding, wallet } = await walletWith(100n);
    assert.deepEqual(kinds(await ledger().createTransfers([transfer(wallet, funding, 101n)])), ['exceeds_credits']);
    assert.deepEqual(kinds(await ledger().createTransfers([transfer(wallet, funding, 100n)])), ['created posted']);
    assert.deepEqual(kinds(await ledger().createTransfers([transfer(wallet, funding, 1n)])), ['exceeds_credits']);
    const refundable = await account('payment', 'credits_must_not_exceed_debits');
    assert.deepEqual(kinds(await ledger().createTransfers([transfer(funding, refundable, 1n)])), ['exceeds_debits']);
    assert.deepEqual(await balances(wallet), [0n, 100n, 0n, 100n]);
    await assertSound();
  });

  it('unknown accounts, one account on both sides and a currency that is not the accounts\' are refused, each for its cause', async () => {
    const a = await account('merchant');
    const b = await account('operator');
    const nok = await account('operator', 'none', 'NOK');
    const outcomes = await ledger().createTransfers([
      transfer('merchant:nobody:USD', b, 1n), transfer(a, 'operator:nobody:USD', 1n), transfer(a, a, 1n),
      transfer(a, nok, 1n), transfer(a, b, 1n, { currency: 'NOK' }),
    ]);
    assert.deepEqual(kinds(outcomes), ['debit_account_not_found', 'credit_account_not_found', 'accounts_must_be_different', 'currency_mismatch', 'currency_mismatch']);
    assert.deepEqual(await balances(a), [0n, 0n, 0n, 0n]);
    await assertSound();
  });

  it('one id twice in a batch is refused for both', async () => {
    const a = await account('merchant');
    const b = await account('operator');
    const t = transfer(a, b, 5n);
    assert.deepEqual(kinds(await ledger().createTransfers([t, t, transfer(a, b, 6n)])), ['id_used_twice', 'id_used_twice', 'created posted']);
  });

  it('linked transfers succeed together, or fail together with the cause at the culprit', async () => {
    const { funding, wallet } = await walletWith(100n);
    const other = await account('wallet', 'debits_must_not_exceed_credits');
    const chain = (amountMinor: bigint) => [
      transfer(wallet, other, 60n, { chain: 'c', code: 'wallet_transfer' }),
      transfer(wallet, funding, amountMinor, { chain: 'c' }),
      transfer(funding, other, 10n, { chain: 'c' }),
    ];
    assert.deepEqual(kinds(await ledger().createTransfers(chain(41n))), ['linked_event_failed', 'exceeds_credits', 'linked_event_failed']);
    assert.deepEqual(kinds(await ledger().createTransfers([...chain(1n).slice(0, 2), transfer('platform:nobody:USD', other, 1n, { chain: 'c' })])),
      ['linked_event_failed', 'linked_event_failed', 'debit_account_not_found']);
    assert.deepEqual(await balances(wallet), [0n, 0n, 0n, 100n]);
    assert.deepEqual(await balances(other), [0n, 0n, 0n, 0n]);
    const good = chain(40n);
    assert.deepEqual(kinds(await ledger().createTransfers(good)), ['created posted', 'created posted', 'created posted']);
    assert.deepEqual(await balances(wallet), [0n, 100n, 0n, 100n]);
    assert.deepEqual(kinds(await ledger().createTransfers(good)), ['exists posted', 'exists posted', 'exists posted']);
    await assertSound();
  });

  it('a batch is judged on its net effect; when that breaks a flag, chain by chain in batch order', async () => {
    const { funding, wallet } = await walletWith(100n);
    const spends = [transfer(wallet, funding, 40n), transfer(wallet, funding, 40n), transfer(wallet, funding, 40n), transfer(wallet, funding, 20n)];
    assert.deepEqual(kinds(await ledger().createTransfers(spends)), ['created posted', 'created posted', 'exceeds_credits', 'created posted']);
    assert.deepEqual(await balances(wallet), [0n, 100n, 0n, 100n]);
    // A top-up and a spend of it in one batch: the net effect holds.
    assert.deepEqual(kinds(await ledger().createTransfers([transfer(wallet, funding, 30n), transfer(funding, wallet, 30n)])), ['created posted', 'created posted']);
    await assertSound();
  });

  it('a pending transfer holds its amount until posted, in part or in whole; it resolves once', async () => {
    const { funding, wallet } = await walletWith(100n);
    const hold = transfer(wallet, funding, 70n, { pending: {} });
    const [held] = await ledger().createTransfers([hold]);
    assert.ok(held && held.kind === 'created' && held.state === 'pending');
    const [a] = await ledger().accounts([wallet]);
    assert.equal(a && availableMinor(a), 30n);
    assert.deepEqual(kinds(await ledger().createTransfers([transfer(wallet, funding, 31n)])), ['exceeds_credits']);
    assert.deepEqual(kinds(await ledger().createTransfers([transfer(wallet, funding, 31n, { pending: {} })])), ['exceeds_credits']);
    const postId = unique('post');
    assert.equal((await ledger().post(postId, hold.id, 71n)).kind, 'exceeds_pending_transfer_amount');
    const posted = await ledger().post(postId, hold.id, 50n);
    assert.ok(posted.kind === 'posted');
    assert.deepEqual(await balances(wallet), [0n, 50n, 0n, 100n]);
    assert.deepEqual(await ledger().post(postId, hold.id, 50n), { kind: 'exists', transferId: posted.transferId, state: 'posted' });
    assert.equal((await ledger().post(postId, hold.id, 49n)).kind, 'exists_with_different_fields');
    assert.equal((await ledger().post(unique('post'), hold.id)).kind, 'pending_transfer_already_posted');
    assert.equal((await ledger().void(unique('void'), hold.id)).kind, 'pending_transfer_already_posted');
    assert.deepEqual(await ledger().createTransfers([hold]), [{ kind: 'exists', transferId: held.transferId, state: 'posted' }]);
    await assertSound();
  });

  it('a voided pending transfer gives its amount back and cannot be posted; a post after its timeout is refused, a void is not', async () => {
    const { funding, wallet } = await walletWith(100n);
    const hold = transfer(wallet, funding, 100n, { pending: {} });
    await ledger().createTransfers([hold]);
    assert.equal((await ledger().void(unique('void'), hold.id)).kind, 'voided');
    assert.equal((await ledger().post(unique('post'), hold.id)).kind, 'pending_transfer_already_voided');
    assert.deepEqual(await balances(wallet), [0n, 0n, 0n, 100n]);
    const timed = transfer(wallet, funding, 10n, { pending: { timeoutAt: new Date(clock.now().getTime() + 60_000) } });
    await ledger().createTransfers([timed]);
    clock.advance(60_000);
    assert.equal((await ledger().post(unique('post'), timed.id)).kind, 'pending_transfer_expired');
    assert.equal((await ledger().void(unique('void'), timed.id)).kind, 'voided');
    assert.equal((await ledger().post(unique('post'), 'no-such-transfer')).kind, 'pending_transfer_not_found');
    const single = transfer(funding, wallet, 1n);
    await ledger().createTransfers([single]);
    assert.equal((await ledger().void(unique('void'), single.id)).kind, 'not_a_pending_transfer');
    assert.deepEqual(await balances(wallet), [0n, 0n, 0n, 101n]);
    await assertSound();
  });

  it('a rollup changes no balance: reads before and after it agree, on unflagged and flagged accounts, pending ones included', async () => {
    const { funding, wallet } = await walletWith(1_000n);
    const merchant = await account('merchant');
    const operator = await account('operator');
    const held = transfer(wallet, merchant, 300n, { pending: {} });
    const posted = transfer(wallet, merchant, 200n, { pending: {} });
    const voided = transfer(operator, merchant, 50n, { pending: {} });
    await ledger().createTransfers([held, posted, voided, transfer(merchant, operator, 40n), transfer(funding, merchant, 7n)]);
    assert.equal((await ledger().post(unique('post'), posted.id, 150n)).kind, 'posted');
    assert.equal((await ledger().void(unique('void'), voided.id)).kind, 'voided');
    const codes = [funding, wallet, merchant, operator];
    const before = await Promise.all(codes.map(balances));
    assert.deepEqual(before[2], [0n, 40n, 300n, 157n]);
    assert.deepEqual(before[3], [0n, 0n, 0n, 40n]);
    const rolled = await ledger().rollUp();
    assert.equal(rolled.complete, true);
    assert.deepEqual(await Promise.all(codes.map(balances)), before);
    // Another run changes no balance either (on a shared PostgreSQL cluster it may take what
    // the first left above a horizon another database's transaction held back); a transfer
    // after it adds to the rolled-up balance.
    await ledger().rollUp();
    assert.deepEqual(await Promise.all(codes.map(balances)), before);
    await ledger().createTransfers([transfer(operator, merchant, 3n)]);
    assert.deepEqual(await balances(merchant), [0n, 40n, 300n, 160n]);
    assert.equal((await ledger().void(unique('void'), held.id)).kind, 'voided');
    assert.deepEqual(await balances(merchant), [0n, 40n, 0n, 160n]);
    await assertSound();
    assert.deepEqual(await balances(merchant), [0n, 40n, 0n, 160n]);
  });

  it('the rollup lag is the age of the oldest transfer not yet rolled up; a rollup takes it back to 0', async () => {
    const funding = await account('platform');
    const merchant = await account('merchant');
    await ledger().createTransfers([transfer(funding, merchant, 5n)]);
    clock.advance(7_000);
    assert.ok((await ledger().rollupLagMs()) >= 7_000, 'the transfer is 7 s old and not rolled up');
    await rollUpUntil(() => ledger().rollUp(), async () => (await ledger().rollupLagMs()) === 0);
    assert.equal(await ledger().rollupLagMs(), 0);
    await assertSound();
  });

  it('pending transfers past their timeout are voided by the expiry, once; what they held is available again', async () => {
    const { funding, wallet } = await walletWith(100n);
    const soon = transfer(wallet, funding, 60n, { pending: { timeoutAt: new Date(clock.now().getTime() + 60_000) } });
    const later = transfer(wallet, funding, 30n, { pending: { timeoutAt: new Date(clock.now().getTime() + 3_600_000) } });
    const forever = transfer(wallet, funding, 10n, { pending: {} });
    await ledger().createTransfers([soon, later, forever]);
    assert.equal(await ledger().expireDue(), 0, 'nothing has timed out yet');
    clock.advance(60_000);
    assert.equal(await ledger().expireDue(), 1);
    assert.deepEqual(await balances(wallet), [40n, 0n, 0n, 100n], 'the 60 held is given back; 30 and 10 stay held');
    assert.equal(await ledger().expireDue(), 0, 'voided once');
    assert.equal((await ledger().post(unique('post'), soon.id)).kind, 'pending_transfer_already_voided');
    clock.advance(3_600_000);
    assert.equal((await ledger().post(unique('post'), forever.id)).kind, 'posted', 'one without a timeout never expires');
    assert.equal(await ledger().expireDue(), 1);
    assert.deepEqual(await balances(wallet), [0n, 10n, 0n, 100n]);
    assert.throws(() => ledger().void('ledger:expired:1', later.id), /must not start with ledger:/);
    await assertSound();
  });
}
