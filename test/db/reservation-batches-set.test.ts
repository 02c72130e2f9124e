import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MerchantService } from '../../src/core/merchants/service.js';
import type { ChargeRecord, ReserveOutcome } from '../../src/core/payments/ports.js';
import type { Msisdn } from '../../src/kernel/msisdn.js';
import { type Database, openDatabase } from '../../src/storage/db.js';
import { migrate } from '../../src/storage/migrate.js';
import { SqlMerchantRepository } from '../../src/storage/repositories/merchants.js';
import { SqlLedgerStore } from '../../src/storage/repositories/ledger.js';
import { SqlPaymentRepository } from '../../src/storage/repositories/payments.js';
import { SqlPlatformRepository } from '../../src/storage/repositories/platform.js';
import { databaseUrlFor, engines } from '../support/app.js';
import { chargeRecords, recordingPrepared, reservationKinds } from '../support/charge-records.js';
import { assertLedgerConsistent } from '../support/ledger.js';

/**
 * The set-based reservation batch (reserve_charges.sql): the edge cases it reserves over the
 * whole batch, and the ones it hands to the per-item path. Either way each item gets exactly
 * the outcome reserve_charge alone would give it.
 */
for (const engine of engines()) {
  describe(`set-based reservation batches [${engine}]`, () => {
    let db: Database;
    let databaseUrl: string | undefined;
    let merchantId: number;
    const statements: string[] = [];
    /** 'set' or 'per item' per batch the repository saw. */
    const paths: string[] = [];
    let repository: SqlPaymentRepository;

    before(async () => {
      databaseUrl = await databaseUrlFor(engine, 'setbatches');
      db = await openDatabase({ databaseUrl, dataDir: 'memory://' });
      await migrate(db);
      const merchants = new MerchantService(new SqlMerchantRepository(db.kysely));
      merchantId = await merchants.createMerchant('Set batch merchant');
      await merchants.createService({ serviceId: 6100, merchantId, platform: 'directpay', name: 'Set batches', currency: 'NOK' }, 's', 's-password');
      await new SqlPlatformRepository(db.kysely).block('+4790000667', 'test');
      const recorded = recordingPrepared(db, statements);
      repository = new SqlPaymentRepository(recorded, {
        batching: { maxBatchSize: 32, maxBatchesInFlight: 1 },
        observeBatch: (_size, fellBack, perItem) => paths.push(fellBack ? 'fell back' : perItem ? 'per item' : 'set'),
      });
    });
    after(() => db.close());

    const { freshMsisdn, record } = chargeRecords({
      serviceId: 6100,
      merchantId: () => merchantId,
      msisdnPrefix: '9200',
      referencePrefix: 'set',
    });

    /** Submits all in one turn of the event loop: they go as one batch. */
    async function reserveTogether(records: ChargeRecord[]) {
      statements.length = 0;
      paths.length = 0;
      return Promise.allSettled(records.map((r) => repository.reserveCharge(r)));
    }

    const kinds = (results: PromiseSettledResult<ReserveOutcome>[]) => reservationKinds(results, { attempts: true });
    const outcome = (r: PromiseSettledResult<ReserveOutcome> | undefined) => (r?.status === 'fulfilled' ? r.value : undefined);

    async function spend(msisdn: string) {
      return db.kysely.selectFrom('subscriber_spend').selectAll().where('msisdn', '=', msisdn).executeTakeFirst();
    }
    async function setSpend(msisdn: string, month: [string, number], year: [string, number]) {
      await db.kysely
        .insertInto('subscriber_spend')
        .values({ msisdn, currency: 'NOK', month_period: month[0], month_spent_minor: String(month[1]), year_period: year[0], year_spent_minor: String(year[1]) })
        .execute();
    }
    async function payments(msisdn: string) {
      const rows = await db.kysely.selectFrom('payments').select('id').where('msisdn', '=', msisdn).execute();
      return rows.length;
    }

    it('refuses the item of a subscriber that would pass the limit, and every later one, in one set-based statement', async () => {
      const fresh = freshMsisdn();
      const existing = freshMsisdn();
      await setSpend(existing, ['M2026-11', 150], ['Y2026', 150]);
      const yearly = freshMsisdn();
      const limited = { monthLimitMinor: 300n };
      const results = await reserveTogether([
        ...Array.from({ length: 4 }, () => record({ msisdn: fresh, ...limited })),
        record({ msisdn: existing, ...limited }),
        record({ msisdn: existing, ...limited }),
        record({ msisdn: yearly, yearLimitMinor: 200n }),
        record({ msisdn: yearly, yearLimitMinor: 200n }),
        record({ msisdn: yearly, yearLimitMinor: 200n }),
        record(),
      ]);
      assert.deepEqual(statements, ['reserve_charges']);
      assert.deepEqual(paths, ['set']);
      assert.deepEqual(kinds(results), [
        'reserved paid attempt 1',
        'reserved paid attempt 1',
        'reserved paid attempt 1',
        'refused limit_monthly',
        'reserved paid attempt 1',
        'refused limit_monthly',
        'reserved paid attempt 1',
        'reserved paid attempt 1',
        'refused limit_yearly',
        'reserved paid attempt 1',
      ]);
      assert.equal(Number((await spend(fresh))?.month_spent_minor), 300);
      assert.equal(Number((await spend(existing))?.month_spent_minor), 250);
      assert.equal(Number((await spend(yearly))?.year_spent_minor), 200);
      assert.equal(await payments(fresh), 3, 'a refused item leaves no payment behind');
      await assertLedgerConsistent({ db });
    });

    it('reserves a batch item by item when a smaller item after a refused one still fits', async () => {
      const msisdn = freshMsisdn();
      const limited = { msisdn, monthLimitMinor: 300n };
      const results = await reserveTogether([
        record({ ...limited, amountMinor: 100n }),
        record({ ...limited, amountMinor: 250n }),
        record({ ...limited, amountMinor: 50n }),
        record(),
      ]);
      // Client references sort in creation order, the order reserve_charge would take them in.
      assert.deepEqual(kinds(results), ['reserved paid attempt 1', 'refused limit_monthly', 'reserved paid attempt 1', 'reserved paid attempt 1']);
      assert.deepEqual(statements, ['reserve_charges', 'reserve_charges_each']);
      assert.deepEqual(paths, ['per item']);
      assert.equal(Number((await spend(msisdn))?.month_spent_minor), 150);
      await assertLedgerConsistent({ db });
    });

    it('answers duplicates and conflicts beside fresh, blocked, test-subscriber and pending items, set-based', async () => {
      const first = [record(), record({ paidAtOnce: false }), record()];
      const earlier = await reserveTogether(first);
      const [paid, pending] = earlier.map(outcome);
      const blocked = record({ msisdn: '+4790000667' as Msisdn });
      const test = record({ testSubscriber: true, paidAtOnce: false });
      const results = await reserveTogether([
        { ...(first[0] as ChargeRecord) },
        { ...(first[2] as ChargeRecord), detailsHash: 'other-details' },
        record(),
        blocked,
        test,
        record({ paidAtOnce: false }),
        { ...(first[1] as ChargeRecord) },
      ]);
      assert.deepEqual(paths, ['set']);
      assert.deepEqual(kinds(results), [
        'duplicate',
        'conflict',
        'reserved paid attempt 1',
        'refused blocked',
        'reserved paid attempt 1',
        'reserved pending attempt 1',
        'duplicate',
      ]);
      assert.deepEqual(outcome(results[0]), { kind: 'duplicate', paymentId: paid?.kind === 'reserved' ? paid.paymentId : -1, status: 'paid' });
      assert.deepEqual(outcome(results[6]), { kind: 'duplicate', paymentId: pending?.kind === 'reserved' ? pending.paymentId : -1, status: 'pending' });
      assert.equal(await payments(blocked.msisdn), 0);
      assert.equal(await spend(test.msisdn), undefined, 'a test subscriber spends nothing');
      await assertLedgerConsistent({ db });
    });

    it('takes a failed payment over for a new attempt, item by item', async () => {
      const failing = record({ paidAtOnce: false });
      const [first] = (await reserveTogether([failing])).map(outcome);
      assert.ok(first?.kind === 'reserved');
      await repository.settle(first.paymentId, first.attempt, 'failed', failing.debitAccount, failing.creditAccount, new Date());
      const results = await reserveTogether([{ ...failing, paidAtOnce: true }, record()]);
      assert.deepEqual(kinds(results), ['reserved paid attempt 2', 'reserved paid attempt 1']);
      assert.deepEqual(outcome(results[0]), { kind: 'reserved', paymentId: first.paymentId, attempt: 2, status: 'paid' });
      assert.deepEqual(statements, ['reserve_charges', 'reserve_charges_each']);
      assert.deepEqual(paths, ['per item']);
      await assertLedgerConsistent({ db });
    });

    it('keeps limits exact and never deadlocks when set-based batches of two processes hit the same subscribers', async () => {
      // Two pools on one database, as two server processes (on PGlite one database, shared).
      const second = databaseUrl ? await openDatabase({ databaseUrl, dataDir: 'memory://' }) : db;
      const seen: string[] = [];
      const repositories = [db, second].map(
        (d) => new SqlPaymentRepository(d, { batching: { maxBatchSize: 32, maxBatchesInFlight: 3 }, observeBatch: (_n, fellBack) => seen.push(fellBack ? 'fell back' : 'ok') }),
      );
      const subscribers = Array.from({ length: 12 }, () => freshMsisdn());
      const records = subscribers.flatMap((msisdn, n) =>
        // Half of them with a spend row already, so both the inserting and the locking upsert run.
        Array.from({ length: 20 }, () => record({ msisdn, monthLimitMinor: n % 2 ? 1_000n : 1_100n })),
      );
      for (const msisdn of subscribers.filter((_, n) => n % 2 === 0)) await setSpend(msisdn, ['M2026-11', 100], ['Y2026', 100]);
      records.sort(() => Math.random() - 0.5);
      const results = await Promise.allSettled(records.map((r, i) => (repositories[i % 2] as SqlPaymentRepository).reserveCharge(r)));
      assert.deepEqual(results.filter((r) => r.status === 'rejected'), []);
      assert.deepEqual([...new Set(seen)], ['ok'], 'no batch failed (a deadlock would have made it fall back)');
      for (const msisdn of subscribers) {
        const reserved = results.filter((r, i) => records[i]?.msisdn === msisdn && outcome(r)?.kind === 'reserved').length;
        assert.equal(reserved, 10, `${msisdn} is charged exactly up to its limit`);
        assert.equal(await payments(msisdn), 10);
      }
      await assertLedgerConsistent({ db });
      if (second !== db) await second.close();
    });

    it('moves spend periods only forward, set-based', async () => {
      const ahead = freshMsisdn(); // the row is in a month the items' clock has not reached
      await setSpend(ahead, ['M2026-12', 450], ['Y2026', 450]);
      const behind = freshMsisdn(); // the row is in a month that is over
      await setSpend(behind, ['M2026-10', 480], ['Y2026', 480]);
      const limits = { monthLimitMinor: 500n, yearLimitMinor: 1_000n };
      const results = await reserveTogether([
        record({ msisdn: ahead, ...limits }),
        record({ msisdn: ahead, ...limits }),
        record({ msisdn: behind, ...limits, amountMinor: 300n }),
        record({ msisdn: behind, ...limits, amountMinor: 300n }),
      ]);
      assert.deepEqual(paths, ['set']);
      assert.deepEqual(kinds(results), ['reserved paid attempt 1', 'reserved paid attempt 1', 'reserved paid attempt 1', 'refused limit_monthly']);
      const a = await spend(ahead);
      assert.deepEqual([a?.month_period, Number(a?.month_spent_minor), a?.year_period, Number(a?.year_spent_minor)], ['M2026-12', 450, 'Y2026', 650]);
      const b = await spend(behind);
      assert.deepEqual([b?.month_period, Number(b?.month_spent_minor), b?.year_period, Number(b?.year_spent_minor)], ['M2026-11', 300, 'Y2026', 780]);
      await assertLedgerConsistent({ db });
    });

    it('opens the accounts a batch names for the first time, and posts nothing to a flagged account or one of another currency', async () => {
      const fresh = 'operator:999-01:NOK';
      const opened = await reserveTogether([record({ debitAccount: fresh }), record({ debitAccount: fresh })]);
      assert.deepEqual(paths, ['set']);
      assert.deepEqual(kinds(opened), ['reserved paid attempt 1', 'reserved paid attempt 1']);
      const ledger = new SqlLedgerStore(db);
      const [account] = await ledger.accounts([fresh]);
      assert.deepEqual([account?.ownerKind, account?.ownerId, account?.flag, account?.debitsPostedMinor], ['operator', '999-01', 'none', 200n]);

      // Payments post between unflagged accounts only (they keep no maintained balance): a
      // flagged account, or one of another currency, fails the batch and then each item, leaving no payment.
      await ledger.openAccount({ code: 'operator:flagged:NOK', ownerKind: 'operator', ownerId: 'flagged', currency: 'NOK', flag: 'debits_must_not_exceed_credits' }, new Date());
      await ledger.openAccount({ code: 'operator:sek:NOK', ownerKind: 'operator', ownerId: 'sek', currency: 'SEK', flag: 'none' }, new Date());
      const refused = [record({ debitAccount: 'operator:flagged:NOK' }), record({ debitAccount: 'operator:sek:NOK' })];
      const results = await reserveTogether(refused);
      assert.deepEqual(paths, ['fell back']);
      assert.deepEqual(
        results.map((r) => (r.status === 'rejected' ? /is not an unflagged NOK account/.test(String(r.reason)) : r.value.kind)),
        [true, true],
      );
      for (const r of refused) assert.equal(await repository.findByReference(r.serviceId, r.clientReference, new Date()), null);
      await assertLedgerConsistent({ db });
    });
  });
}
