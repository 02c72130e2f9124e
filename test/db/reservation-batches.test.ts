import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MerchantService } from '../../src/core/merchants/service.js';
import type { ChargeRecord, ReserveOutcome } from '../../src/core/payments/ports.js';
import type { Msisdn } from '../../src/kernel/msisdn.js';
import { type Database, openDatabase } from '../../src/storage/db.js';
import { migrate } from '../../src/storage/migrate.js';
import { SqlMerchantRepository } from '../../src/storage/repositories/merchants.js';
import { SqlPaymentRepository } from '../../src/storage/repositories/payments.js';
import { SqlPlatformRepository } from '../../src/storage/repositories/platform.js';
import { databaseUrlFor, engines } from '../support/app.js';
import { chargeRecords, recordingPrepared, reservationKinds } from '../support/charge-records.js';
import { assertLedgerConsistent } from '../support/ledger.js';

/** Concurrent Pays are reserved together in one statement: each item must still get exactly its own outcome. */
for (const engine of engines()) {
  describe(`reservation batches [${engine}]`, () => {
    let db: Database;
    let databaseUrl: string | undefined;
    let merchantId: number;
    const statements: string[] = [];
    const batches: string[] = [];
    const observeBatch = (size: number, fellBack: boolean) => batches.push(fellBack ? `${size} fell back` : `${size}`);
    /** The database, recording which hot-path statement each call used. */
    let recorded: Database;

    before(async () => {
      databaseUrl = await databaseUrlFor(engine, 'batches');
      db = await openDatabase({ databaseUrl, dataDir: 'memory://' });
      await migrate(db);
      const merchants = new MerchantService(new SqlMerchantRepository(db.kysely));
      merchantId = await merchants.createMerchant('Batch merchant');
      await merchants.createService({ serviceId: 6000, merchantId, platform: 'directpay', name: 'Batches', currency: 'NOK' }, 'b', 'b-password');
      await new SqlPlatformRepository(db.kysely).block('+4790000666', 'test');
      recorded = recordingPrepared(db, statements);
    });
    after(() => db.close());

    const records = chargeRecords({
      serviceId: 6000,
      merchantId: () => merchantId,
      msisdnPrefix: '9100',
      referencePrefix: 'batch',
    });
    const { record } = records;
    const freshMsisdn = (): string => records.freshMsisdn();

    /** Submits all in one turn of the event loop: they go as one batch. */
    async function reserveTogether(repository: SqlPaymentRepository, records: ChargeRecord[]) {
      statements.length = 0;
      batches.length = 0;
      return Promise.allSettled(records.map((r) => repository.reserveCharge(r)));
    }


    async function paymentCount(clientReference: string) {
      const row = await db.kysely
        .selectFrom('payments')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('client_reference', '=', clientReference)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    }

    async function monthSpent(msisdn: string) {
      const row = await db.kysely.selectFrom('subscriber_spend').select('month_spent_minor').where('msisdn', '=', msisdn).executeTakeFirst();
      return row ? Number(row.month_spent_minor) : 0;
    }

    it('gives each item of one batch its own outcome: reserved, duplicate, conflict, blocked, over the limit', async () => {
      const repository = new SqlPaymentRepository(recorded, { batching: { maxBatchSize: 16, maxBatchesInFlight: 1 }, observeBatch });
      const fresh = record();
      const limited = freshMsisdn() as Msisdn;
      const blocked = record({ msisdn: '+4790000666' as Msisdn });
      const results = await reserveTogether(repository, [
        fresh,
        { ...fresh },
        { ...fresh, detailsHash: 'other-details' },
        blocked,
        record({ msisdn: limited, amountMinor: 60n, monthLimitMinor: 100n }),
        record({ msisdn: limited, amountMinor: 60n, monthLimitMinor: 100n }),
        record({ paidAtOnce: false }),
      ]);
      assert.deepEqual(statements, ['reserve_charges']);
      assert.deepEqual(batches, ['7']);
      assert.deepEqual(reservationKinds(results), [
        'reserved paid',
        'duplicate',
        'conflict',
        'refused blocked',
        'reserved paid',
        'refused limit_monthly',
        'reserved pending',
      ]);
      assert.equal(await paymentCount(fresh.clientReference), 1);
      assert.equal(await paymentCount(blocked.clientReference), 0, 'a refused item leaves no payment behind');
      assert.equal(await monthSpent(limited), 60, 'the refused item gave its spend back, the reserved one kept it');
      await assertLedgerConsistent({ db });
    });

    it('fails only the item that breaks; its neighbours are reserved one by one', async () => {
      const repository = new SqlPaymentRepository(recorded, { batching: { maxBatchSize: 16, maxBatchesInFlight: 1 }, observeBatch });
      const good = [record(), record()];
      const results = await reserveTogether(repository, [good[0] as ChargeRecord, record({ merchantId: 999_999 }), good[1] as ChargeRecord]);
      assert.deepEqual(reservationKinds(results), ['reserved paid', 'error 23503', 'reserved paid']);
      assert.deepEqual(statements, ['reserve_charges', 'reserve_charge', 'reserve_charge', 'reserve_charge']);
      assert.deepEqual(batches, ['3 fell back']);
      for (const r of good) assert.equal(await paymentCount(r.clientReference), 1);
      await assertLedgerConsistent({ db });
    });

    it('keeps every spend limit exact when batches from several processes hit the same subscribers', async () => {
      // Two pools on one database, as two server processes: their batches overlap on ten subscribers.
      // PGlite is one process's database: there the two repositories share it.
      const second = databaseUrl ? await openDatabase({ databaseUrl, dataDir: 'memory://' }) : db;
      const repositories = [recorded, second === db ? recorded : second].map(
        (d) => new SqlPaymentRepository(d, { batching: { maxBatchSize: 32, maxBatchesInFlight: 3 } }),
      );
      statements.length = 0;
      const subscribers = Array.from({ length: 10 }, () => freshMsisdn() as Msisdn);
      const perSubscriber = 30;
      const allowed = 12;
      const records = subscribers.flatMap((msisdn) =>
        Array.from({ length: perSubscriber }, () => record({ msisdn, amountMinor: 100n, monthLimitMinor: BigInt(allowed * 100) })),
      );
      // Shuffled so that every batch holds several subscribers in no particular order.
      records.sort(() => Math.random() - 0.5);
      const results = await Promise.allSettled(records.map((r, i) => (repositories[i % 2] as SqlPaymentRepository).reserveCharge(r)));
      const rejected = results.filter((r) => r.status === 'rejected');
      assert.deepEqual(rejected, []);
      assert.ok(statements.filter((name) => name === 'reserve_charges').length >= 3, 'the reservations went in batches');
      for (const msisdn of subscribers) {
        const outcomes = results.filter((_, i) => records[i]?.msisdn === msisdn).map((r) => (r.status === 'fulfilled' ? r.value.kind : 'error'));
        assert.equal(outcomes.filter((k) => k === 'reserved').length, allowed, `${msisdn} is charged exactly up to its limit`);
        assert.equal(outcomes.filter((k) => k === 'refused').length, perSubscriber - allowed);
        assert.equal(await monthSpent(msisdn), allowed * 100);
      }
      await assertLedgerConsistent({ db });
      if (second !== db) await second.close();
    });
  });
}
