import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { LedgerService, ROLLUP_MAX_TRANSACTIONS } from '../../src/core/ledger/service.js';
import type { TransferRequest } from '../../src/core/ledger/types.js';
import { systemClock } from '../../src/kernel/clock.js';
import { type Database, openDatabase } from '../../src/storage/db.js';
import { migrate } from '../../src/storage/migrate.js';
import { SqlLedgerStore } from '../../src/storage/repositories/ledger.js';
import type { Schema } from '../../src/storage/schema.js';
import { databaseUrlFor, engines } from '../support/app.js';
import { ledgerContract } from '../support/ledger-contract.js';
import { assertLedgerSound } from '../support/ledger.js';
import { rollUpUntil } from '../support/rollup.js';

const CONCURRENT_TRANSFERS = 200;

for (const engine of engines()) {
  describe(`general ledger [${engine}]`, () => {
    let db: Database;
    let store: SqlLedgerStore;
    before(async () => {
      db = await openDatabase({ databaseUrl: await databaseUrlFor(engine, 'ledger'), dataDir: 'memory://', poolSize: 20 });
      await migrate(db);
      store = new SqlLedgerStore(db);
    });
    after(() => db.close());

    describe('the ledger rules', () => ledgerContract(() => store));

    let counter = 0;
    const unique = (prefix: string) => `${prefix}-${process.pid}-${(counter += 1)}`;
    const ledger = () => new LedgerService(store, systemClock);
    async function walletWith(amountMinor: bigint) {
      const [funding, wallet] = [unique('platform:funding'), unique('wallet:w')];
      await ledger().openAccount({ code: funding, ownerKind: 'platform', ownerId: 'funding', currency: 'NOK', flag: 'none' });
      await ledger().openAccount({ code: wallet, ownerKind: 'wallet', ownerId: wallet, currency: 'NOK', flag: 'debits_must_not_exceed_credits' });
      const [topUp] = await ledger().createTransfers([spend(funding, wallet, amountMinor)]);
      assert.equal(topUp?.kind, 'created');
      return { funding, wallet };
    }
    const spend = (debitAccount: string, creditAccount: string, amountMinor: bigint, extra: Partial<TransferRequest> = {}): TransferRequest => ({
      id: unique('db-t'), debitAccount, creditAccount, amountMinor, currency: 'NOK', code: 'wallet_transfer', ...extra,
    });
    const count = (outcomes: readonly { kind: string }[]) => {
      const counts: Record<string, number> = {};
      for (const o of outcomes) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
      return counts;
    };

    it(`${CONCURRENT_TRANSFERS} concurrent transfers out of one wallet: exactly floor(balance / amount) succeed, it never goes below zero`, async () => {
      const { funding, wallet } = await walletWith(10_050n);
      const outcomes = await Promise.all(
        Array.from({ length: CONCURRENT_TRANSFERS }, () => ledger().createTransfers([spend(wallet, funding, 100n)]).then(([o]) => o as { kind: string })),
      );
      assert.deepEqual(count(outcomes), { created: 100, exceeds_credits: 100 });
      const [account] = await ledger().accounts([wallet]);
      assert.deepEqual([account?.debitsPostedMinor, account?.creditsPostedMinor], [10_000n, 10_050n]);
      await assertLedgerSound(db);
    });

    it('concurrent batches out of one wallet, pending and single-phase mixed: the flag holds, the rest fall back chain by chain', async () => {
      const { funding, wallet } = await walletWith(1_000n);
      const batches = Array.from({ length: 8 }, (_, b) =>
        Array.from({ length: 25 }, (_, i) => spend(wallet, funding, 10n, (b + i) % 2 === 0 ? { pending: {} } : {})),
      );
      const outcomes = (await Promise.all(batches.map((batch) => ledger().createTransfers(batch)))).flat();
      assert.deepEqual(count(outcomes), { created: 100, exceeds_credits: 100 });
      const [account] = await ledger().accounts([wallet]);
      assert.equal((account?.debitsPendingMinor ?? 0n) + (account?.debitsPostedMinor ?? 0n), 1_000n);
      await assertLedgerSound(db);
    });

    it('linked chains racing for one wallet: each is applied whole or not at all', async () => {
      const { funding, wallet } = await walletWith(1_000n);
      const other = unique('wallet:other');
      await ledger().openAccount({ code: other, ownerKind: 'wallet', ownerId: other, currency: 'NOK', flag: 'debits_must_not_exceed_credits' });
      // Each chain moves 60 to the other wallet and 40 back to funding: 10 of the 20 fit.
      const chains = Array.from({ length: 20 }, () => [spend(wallet, other, 60n, { chain: 'c' }), spend(wallet, funding, 40n, { chain: 'c' })]);
      const outcomes = await Promise.all(chains.map((chain) => ledger().createTransfers(chain)));
      const shapes = outcomes.map((o) => o.map((x) => x.kind).join(','));
      assert.equal(shapes.filter((s) => s === 'created,created').length, 10);
      assert.equal(shapes.filter((s) => s === 'exceeds_credits,linked_event_failed' || s === 'linked_event_failed,exceeds_credits').length, 10);
      const [w, o] = await ledger().accounts([wallet, other]);
      assert.deepEqual([w?.debitsPostedMinor, o?.creditsPostedMinor], [1_000n, 600n]);
      await assertLedgerSound(db);
    });

    it('a pending transfer posted and voided concurrently, many times over, resolves exactly once', async () => {
      const { funding, wallet } = await walletWith(500n);
      const hold = spend(wallet, funding, 500n, { pending: {} });
      await ledger().createTransfers([hold]);
      const attempts = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? ledger().post(unique('post'), hold.id) : ledger().void(unique('void'), hold.id))),
      );
      const resolved = attempts.filter((a) => a.kind === 'posted' || a.kind === 'voided');
      assert.equal(resolved.length, 1);
      const winner = resolved[0]?.kind;
      const loser = winner === 'posted' ? 'pending_transfer_already_posted' : 'pending_transfer_already_voided';
      assert.deepEqual(count(attempts), { [winner as string]: 1, [loser]: 19 });
      const [account] = await ledger().accounts([wallet]);
      assert.deepEqual([account?.debitsPendingMinor, account?.debitsPostedMinor], [0n, winner === 'posted' ? 500n : 0n]);
      await assertLedgerSound(db);
    });

    it('the same transfer sent concurrently is created once; all others answer exists with its id', async () => {
      const { funding, wallet } = await walletWith(100n);
      const t = spend(wallet, funding, 100n);
      const outcomes = (await Promise.all(Array.from({ length: 30 }, () => ledger().createTransfers([t])))).flat();
      const ids = new Set(outcomes.map((o) => ('transferId' in o ? o.transferId : null)));
      assert.deepEqual(count(outcomes), { created: 1, exists: 29 });
      assert.equal(ids.size, 1);
      await assertLedgerSound(db);
    });

    it('the invariant check finds a balance changed behind the ledger\'s back', async () => {
      const { wallet } = await walletWith(100n);
      const broken = await openDatabase({ databaseUrl: await databaseUrlFor(engine, 'ledger_broken'), dataDir: 'memory://' });
      try {
        await migrate(broken);
        const brokenStore = new SqlLedgerStore(broken);
        const service = new LedgerService(brokenStore, systemClock);
        await service.openAccount({ code: wallet, ownerKind: 'wallet', ownerId: wallet, currency: 'NOK', flag: 'debits_must_not_exceed_credits' });
        await broken.kysely.updateTable('ledger_accounts').set({ credits_posted: '5' }).where('code', '=', wallet).execute();
        const violations = await brokenStore.violations(10);
        assert.deepEqual(violations.map((v) => [v.violation, v.subject]), [['balance', wallet], ['currency', 'NOK']]);
        // An unflagged account's pending balances are its live pending transfers' sums, never kept: writing one is refused.
        await service.openAccount({ code: 'merchant:9:NOK', ownerKind: 'merchant', ownerId: '9', currency: 'NOK', flag: 'none' });
        await assert.rejects(
          broken.kysely.updateTable('ledger_accounts').set({ credits_pending: '5' }).where('code', '=', 'merchant:9:NOK').execute(),
          /ledger_accounts_unflagged_pending_summed/,
        );
        // Its posted ones are the rollup's: one changed behind it is found against the transfers below the mark.
        await broken.kysely.updateTable('ledger_accounts').set({ credits_posted: '5' }).where('code', '=', 'merchant:9:NOK').execute();
        assert.deepEqual((await brokenStore.violations(10)).map((v) => [v.violation, v.subject]), [['balance', 'merchant:9:NOK'], ['balance', wallet], ['currency', 'NOK']]);
        await broken.kysely.updateTable('ledger_accounts').set({ credits_posted: '0' }).where('code', '=', 'merchant:9:NOK').execute();
        // No foreign key refuses a transfer between accounts of another currency: the check finds it.
        await service.openAccount({ code: 'operator:9:NOK', ownerKind: 'operator', ownerId: '9', currency: 'NOK', flag: 'none' });
        await sql`INSERT INTO ledger_transfers (idempotency_id, debit_account_id, credit_account_id, amount_minor, currency, code, phase, state, created_at)
                  SELECT 'stray', d.id, c.id, 100, 'SEK', 'charge', 'single', 'posted', '2026-12-01T00:00:00Z'
                    FROM ledger_accounts d, ledger_accounts c WHERE d.code = 'operator:9:NOK' AND c.code = 'merchant:9:NOK'`.execute(broken.kysely);
        assert.deepEqual((await brokenStore.violations(10)).map((v) => [v.violation, v.subject]), [['balance', wallet], ['currency', 'NOK'], ['account', 'stray']]);
      } finally {
        await broken.close();
      }
    });

    const rollUp = () => store.rollUp(new Date(), ROLLUP_MAX_TRANSACTIONS);
    async function unflagged(ownerKind: 'merchant' | 'operator') {
      const ownerId = unique(ownerKind);
      const code = `${ownerKind}:${ownerId}:NOK`;
      await ledger().openAccount({ code, ownerKind, ownerId, currency: 'NOK', flag: 'none' });
      return code;
    }
    const postedCredits = async (code: string) => (await ledger().accounts([code]))[0]?.creditsPostedMinor;

    it('transfers racing repeated rollups: every balance reads exact throughout and ends rolled up once', async () => {
      const [operator, merchant] = [await unflagged('operator'), await unflagged('merchant')];
      const rollups = (async () => {
        for (let run = 0; run < 20; run += 1) await rollUp();
      })();
      const outcomes = await Promise.all(
        Array.from({ length: CONCURRENT_TRANSFERS }, async (_, i) => {
          const [o] = await ledger().createTransfers([spend(operator, merchant, BigInt(i + 1))]);
          return o as { kind: string };
        }),
      );
      await rollups;
      assert.deepEqual(count(outcomes), { created: CONCURRENT_TRANSFERS });
      const total = BigInt((CONCURRENT_TRANSFERS * (CONCURRENT_TRANSFERS + 1)) / 2);
      assert.equal(await postedCredits(merchant), total);
      await assertLedgerSound(db);
      assert.equal(await postedCredits(merchant), total);
      // On the row once every transfer's transaction is below the horizon. The horizon is the
      // cluster's oldest running transaction, so another test file's open transaction (another
      // database of the same cluster) may hold it back a moment: never past the total, though.
      const stored = async () => BigInt((await db.kysely.selectFrom('ledger_accounts').select(['credits_posted']).where('code', '=', merchant).executeTakeFirstOrThrow()).credits_posted);
      await rollUpUntil(rollUp, async () => {
        const now = await stored();
        assert.ok(now <= total, 'never rolled up twice');
        return now === total;
      });
      assert.equal(await stored(), total, 'the balance is on the account row once rolled up');
      assert.equal(await postedCredits(merchant), total);
    });

    if (engine === 'postgres') {
      it('a transfer whose transaction is still open is not rolled up until it commits, then exactly once; one rolled back never', async () => {
        const [operator, merchant] = [await unflagged('operator'), await unflagged('merchant')];
        await rollUp();
        const insert = (trx: Kysely<Schema>, id: string, amountMinor: number) =>
          sql`INSERT INTO ledger_transfers (idempotency_id, debit_account_id, credit_account_id, amount_minor, currency, code, phase, state, created_at)
              SELECT ${id}, d.id, c.id, ${amountMinor}, 'NOK', 'charge', 'single', 'posted', now()
                FROM ledger_accounts d, ledger_accounts c WHERE d.code = ${operator} AND c.code = ${merchant}`.execute(trx);
        const stored = async () => (await db.kysely.selectFrom('ledger_accounts').select(['credits_posted']).where('code', '=', merchant).executeTakeFirstOrThrow()).credits_posted;
        await assert.rejects(
          db.kysely.transaction().execute(async (trx) => {
            await insert(trx, unique('aborted'), 1_000);
            await rollUp();
            throw new Error('rolled back');
          }),
          /rolled back/,
        );
        await db.kysely.transaction().execute(async (trx) => {
          await insert(trx, unique('late'), 70);
          assert.equal((await rollUp()).complete, true);
          assert.equal(String(await stored()), '0', 'not rolled up while its transaction runs');
          assert.equal(await postedCredits(merchant), 0n, 'nor read before it commits');
        });
        assert.equal(await postedCredits(merchant), 70n);
        assert.equal(String(await stored()), '0');
        // Rolled up once no transaction of the cluster older than it runs (another test file's may, a moment).
        await rollUpUntil(rollUp, async () => {
          const now = String(await stored());
          if (now !== '70') assert.equal(now, '0');
          return now === '70';
        });
        assert.equal(String(await stored()), '70');
        assert.equal(await postedCredits(merchant), 70n);
        await rollUp();
        assert.equal(String(await stored()), '70', 'rolled up exactly once');
        await assertLedgerSound(db);
      });
    }
  });
}
