import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { type Database, openDatabase } from '../../src/storage/db.js';
import { migrate, migrationsDirectory } from '../../src/storage/migrate.js';
import { databaseUrlFor, engines } from '../support/app.js';
import { SqlLedgerStore } from '../../src/storage/repositories/ledger.js';
import { assertLedgerSound } from '../support/ledger.js';

const JOURNAL_INTO_LEDGER = '0012_payments_into_ledger.sql';

/**
 * A database with journal rows made under the migrations before 0012 migrates forward: every
 * entry a transfer, every account named a ledger account, the journal view answering the same
 * entries and the same balances, and the ledger proving itself.
 */
for (const engine of engines()) {
  describe(`the journal migrated into the general ledger [${engine}]`, () => {
    let db: Database;
    let directory: string;
    before(async () => {
      directory = mkdtempSync(join(tmpdir(), 'opendcb-journal-'));
      mkdirSync(join(directory, 'migrations'));
      mkdirSync(join(directory, 'functions'));
      for (const file of readdirSync(migrationsDirectory()).filter((name) => name < JOURNAL_INTO_LEDGER)) {
        copyFileSync(join(migrationsDirectory(), file), join(directory, 'migrations', file));
      }
      db = await openDatabase({ databaseUrl: await databaseUrlFor(engine, 'journal_migration'), dataDir: 'memory://' });
    });
    after(async () => {
      await db.close();
      rmSync(directory, { recursive: true, force: true });
    });

    const journal = async () =>
      (await sql<Record<string, unknown>>`SELECT payment_id::TEXT, kind, debit_account, credit_account, amount_minor::TEXT, currency
         FROM journal_entries ORDER BY payment_id, kind`.execute(db.kysely)).rows;
    const balances = async () =>
      (await sql<Record<string, unknown>>`SELECT account, sum(amount)::TEXT AS balance FROM (
         SELECT credit_account AS account, amount_minor AS amount FROM journal_entries
         UNION ALL SELECT debit_account, -amount_minor FROM journal_entries) AS legs GROUP BY account ORDER BY account`.execute(db.kysely)).rows;

    it('every entry becomes a transfer, every account named a ledger account with the balance the entries gave it', async () => {
      await migrate(db, { migrations: join(directory, 'migrations'), functions: join(directory, 'functions') });
      await sql`INSERT INTO merchants (id, name) OVERRIDING SYSTEM VALUE VALUES (7, 'Old merchant'), (8, 'Other merchant')`.execute(db.kysely);
      await sql`INSERT INTO endpoints (id, merchant_id, kind, name, currency)
                VALUES (7000, 7, 'strex-directpay', 'Old', 'NOK'), (8000, 8, 'strex-directpay', 'Other', 'GBP')`.execute(db.kysely);
      const payments: [number, number, number, string, string, string, boolean][] = [
        [1, 7000, 7, 'paid', 'NOK', '242-01', false], [2, 7000, 7, 'reversed', 'NOK', '242-01', false],
        [3, 7000, 7, 'paid', 'NOK', '242-02', false], [4, 8000, 8, 'paid', 'GBP', '234-15', false],
        [5, 7000, 7, 'failed', 'NOK', '242-01', false], [6, 7000, 7, 'paid', 'NOK', '242-01', true],
      ];
      for (const [id, serviceId, merchantId, status, currency, operator, test] of payments) {
        await sql`INSERT INTO payments (id, service_id, merchant_id, client_reference, details_hash, msisdn, operator, amount_minor,
                    currency, service_code, status, month_period, year_period)
                  VALUES (${id}, ${serviceId}, ${merchantId}, ${`old-${id}`}, 'h', '+4790000000', ${operator}, ${id * 100}, ${currency},
                    '10002', ${status}, 'M2026-11', 'Y2026')`.execute(db.kysely);
        if (status === 'failed') continue;
        const [merchant, carrier] = [`merchant:${merchantId}:${currency}`, `${test ? 'test-operator' : 'operator'}:${operator}:${currency}`];
        await sql`INSERT INTO journal_entries (payment_id, kind, debit_account, credit_account, amount_minor, currency)
                  VALUES (${id}, 'charge', ${carrier}, ${merchant}, ${id * 100}, ${currency})`.execute(db.kysely);
        if (status === 'reversed') {
          await sql`INSERT INTO journal_entries (payment_id, kind, debit_account, credit_account, amount_minor, currency)
                    VALUES (${id}, 'reversal', ${merchant}, ${carrier}, ${id * 100}, ${currency})`.execute(db.kysely);
        }
      }
      const [entriesBefore, balancesBefore] = [await journal(), await balances()];
      assert.equal(entriesBefore.length, 6);

      assert.equal((await migrate(db)).applied[0], JOURNAL_INTO_LEDGER);
      assert.deepEqual(await journal(), entriesBefore);
      assert.deepEqual(await balances(), balancesBefore);
      // Unflagged accounts keep no maintained balance: the store sums their transfers.
      const codes = ['merchant:7:NOK', 'merchant:8:GBP', 'operator:234-15:GBP', 'operator:242-01:NOK', 'operator:242-02:NOK', 'test-operator:242-01:NOK'];
      const accounts = await new SqlLedgerStore(db).accounts(codes);
      assert.deepEqual(accounts.map((a) => [a.code, a.ownerKind, a.ownerId, a.currency, a.flag, a.debitsPostedMinor, a.creditsPostedMinor]), [
        ['merchant:7:NOK', 'merchant', '7', 'NOK', 'none', 200n, 1200n],
        ['merchant:8:GBP', 'merchant', '8', 'GBP', 'none', 0n, 400n],
        ['operator:234-15:GBP', 'operator', '234-15', 'GBP', 'none', 400n, 0n],
        ['operator:242-01:NOK', 'operator', '242-01', 'NOK', 'none', 300n, 200n],
        ['operator:242-02:NOK', 'operator', '242-02', 'NOK', 'none', 300n, 0n],
        ['test-operator:242-01:NOK', 'test_operator', '242-01', 'NOK', 'none', 600n, 0n],
      ]);
      const maintained = await db.kysely.selectFrom('ledger_accounts').select(['debits_posted', 'credits_posted']).execute();
      assert.deepEqual(new Set(maintained.map((a) => `${a.debits_posted}/${a.credits_posted}`)), new Set(['0/0']));
      const transfers = await db.kysely.selectFrom('ledger_transfers').select(['idempotency_id', 'code', 'phase', 'state']).orderBy('id').execute();
      assert.deepEqual(transfers.map((t) => `${t.idempotency_id} ${t.code} ${t.phase} ${t.state}`), [
        'payment:1:charge charge single posted', 'payment:2:charge charge single posted', 'payment:2:reversal reversal single posted',
        'payment:3:charge charge single posted', 'payment:4:charge charge single posted', 'payment:6:charge charge single posted',
      ]);
      await assertLedgerSound(db);
    });
  });
}
