import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { MerchantService } from '../../src/core/merchants/service.js';
import type { ChargeRecord, ReserveOutcome } from '../../src/core/payments/ports.js';
import type { Msisdn } from '../../src/kernel/msisdn.js';
import { type Database, openDatabase } from '../../src/storage/db.js';
import { migrate } from '../../src/storage/migrate.js';
import { SqlMerchantRepository } from '../../src/storage/repositories/merchants.js';
import { SqlPaymentRepository } from '../../src/storage/repositories/payments.js';
import { databaseUrlFor, engines } from '../support/app.js';
import { chargeRecords, recordingPrepared, reservationKinds } from '../support/charge-records.js';
import { assertLedgerConsistent } from '../support/ledger.js';

const ENDPOINT_ID = 6200;
const RESERVED_AT = new Date('2026-11-15T12:00:00Z');

/**
 * Reservation batches whose charges a PIN approves (reserve_charges_with_pins.sql): the PINs
 * judged in the batch's statement, round by round, before the rest is reserved set-based or,
 * handed back, item by item, in the same transaction.
 */
for (const engine of engines()) {
  describe(`reservation batches with PINs [${engine}]`, () => {
    let db: Database;
    let merchantId: number;
    let productId: number;
    const statements: string[] = [];
    let repository: SqlPaymentRepository;

    before(async () => {
      db = await openDatabase({ databaseUrl: await databaseUrlFor(engine, 'pinbatches'), dataDir: 'memory://' });
      await migrate(db);
      const merchants = new MerchantService(new SqlMerchantRepository(db.kysely));
      merchantId = await merchants.createMerchant('PIN batch merchant');
      await merchants.createService({ serviceId: ENDPOINT_ID, merchantId, platform: 'directpay', name: 'PIN batches', currency: 'NOK' }, 'p', 'p-password');
      const product = await db.kysely.insertInto('products').values({ merchant_id: merchantId, name: 'PIN product' }).returning('id').executeTakeFirstOrThrow();
      productId = Number(product.id);
      repository = new SqlPaymentRepository(recordingPrepared(db, statements), { batching: { maxBatchSize: 32, maxBatchesInFlight: 1 } });
    });
    after(() => db.close());

    const { freshMsisdn, record } = chargeRecords({ serviceId: ENDPOINT_ID, merchantId: () => merchantId, msisdnPrefix: '9300', referencePrefix: 'pin' });

    /** A PIN sent to the number, stored with the given hash; expiresInMs from RESERVED_AT. */
    async function sendPin(msisdn: Msisdn, pinHash: string, expiresInMs = 600_000) {
      await db.kysely
        .insertInto('charge_pins')
        .values({
          endpoint_id: ENDPOINT_ID,
          msisdn,
          product_id: productId,
          pin_hash: pinHash,
          created_at: new Date(RESERVED_AT.getTime() - 1_000),
          expires_at: new Date(RESERVED_AT.getTime() + expiresInMs),
        })
        .execute();
    }
    const pinned = (msisdn: Msisdn, pinHash: string, overrides: Partial<ChargeRecord> = {}): ChargeRecord =>
      record({ msisdn, clientReference: randomUUID(), pin: { endpointId: ENDPOINT_ID, productId, pinHash, maxAttempts: 5 }, ...overrides });
    const pinOf = async (msisdn: Msisdn) =>
      db.kysely
        .selectFrom('charge_pins')
        .leftJoin('charge_pin_uses', 'charge_pin_uses.pin_id', 'charge_pins.id')
        .select(['charge_pins.attempts', 'charge_pins.used_at', 'charge_pin_uses.transaction_id'])
        .where('charge_pins.msisdn', '=', msisdn)
        .executeTakeFirstOrThrow();
    async function reserveTogether(records: ChargeRecord[]) {
      statements.length = 0;
      return Promise.allSettled(records.map((r) => repository.reserveCharge(r)));
    }

    it('judges each PIN in the batch statement: one right guess uses it, the rest name their cause, and the rest of the batch is reserved even item by item', async () => {
      const [twice, wrong, none, expired, salted, limited] = [freshMsisdn(), freshMsisdn(), freshMsisdn(), freshMsisdn(), freshMsisdn(), freshMsisdn()];
      await sendPin(twice, 'hmac2$right-1');
      await sendPin(wrong, 'hmac2$right-2');
      await sendPin(expired, 'hmac2$right-4', -1);
      await sendPin(salted, 'hmac$c2FsdA==$digest');
      const first = pinned(twice, 'hmac2$right-1');
      const results = await reserveTogether([
        first,
        pinned(twice, 'hmac2$right-1'),
        pinned(wrong, 'hmac2$not-it'),
        pinned(none, 'hmac2$any'),
        pinned(expired, 'hmac2$right-4'),
        pinned(salted, 'hmac2$any'),
        record(),
        // A smaller item after a refused one still fits: reserve_charges hands the batch back (OD002).
        record({ msisdn: limited, monthLimitMinor: 300n, amountMinor: 100n }),
        record({ msisdn: limited, monthLimitMinor: 300n, amountMinor: 250n }),
        record({ msisdn: limited, monthLimitMinor: 300n, amountMinor: 50n }),
      ]);
      assert.deepEqual(statements, ['reserve_charges_with_pins']);
      assert.deepEqual(reservationKinds(results), [
        'reserved paid',
        'pin_refused used',
        'pin_refused wrong_pin',
        'pin_refused wrong_pin',
        'pin_refused expired',
        'pin_refused salted',
        'reserved paid',
        'reserved paid',
        'refused limit_monthly',
        'reserved paid',
      ]);
      const used = await pinOf(twice);
      assert.equal(used.attempts, 1);
      assert.equal(used.transaction_id, first.clientReference);
      assert.deepEqual(new Date(String(used.used_at)), RESERVED_AT);
      assert.deepEqual({ ...(await pinOf(wrong)), used_at: null }, { attempts: 1, used_at: null, transaction_id: null }, 'a wrong guess is counted');
      assert.equal((await pinOf(expired)).attempts, 0, 'a guess at an expired PIN is not counted');
      assert.equal((await pinOf(salted)).attempts, 0, 'a salted PIN is left to the service');
      const billed = await db.kysely.selectFrom('payments').select('msisdn').where('msisdn', 'in', [twice, wrong, none, expired, salted]).execute();
      assert.deepEqual(billed.map((p) => p.msisdn), [twice], 'an item its PIN refused reserves nothing');
      await assertLedgerConsistent({ db });
    });

    it('a lone charge by PIN, and one run alone after its batch failed, take the same statement', async () => {
      const msisdn = freshMsisdn();
      await sendPin(msisdn, 'hmac2$lone');
      assert.deepEqual(reservationKinds(await reserveTogether([pinned(msisdn, 'hmac2$wrong')])), ['pin_refused wrong_pin']);
      assert.deepEqual(statements, ['reserve_charges_with_pins']);
      assert.deepEqual(reservationKinds(await reserveTogether([pinned(msisdn, 'hmac2$lone')])), ['reserved paid']);
      assert.equal((await pinOf(msisdn)).attempts, 2);
      // An item the statement cannot take (a reference that is no UUID) fails only itself.
      const other = freshMsisdn();
      await sendPin(other, 'hmac2$other');
      const results = await reserveTogether([pinned(other, 'hmac2$other'), record({ currency: 'XXX' as ChargeRecord['currency'] })]);
      assert.deepEqual(statements, ['reserve_charges_with_pins', 'reserve_charges_with_pins', 'reserve_charge'], 'the batch failed, then each item ran alone');
      assert.equal(reservationKinds(results)[0], 'reserved paid');
      assert.equal(results[1]?.status, 'rejected');
      assert.equal((await pinOf(other)).attempts, 1, 'the failed batch counted nothing that stayed; the item alone counted once');
      await assertLedgerConsistent({ db });
    });

    it('refuses guesses that are not the batch items\' own, one array shorter than the others, or out of round order', async () => {
      const msisdn = freshMsisdn();
      await sendPin(msisdn, 'hmac2$shape');
      const items = JSON.stringify([{ i: 0 }, { i: 1 }]);
      const call = (i: number[], round: number[], hashes = i.map(() => 'hmac2$shape')) =>
        sql`SELECT * FROM reserve_charges_with_pins(${items}::jsonb, ${i}::int[], ${round}::int[],
              ${i.map(() => ENDPOINT_ID)}::bigint[], ${i.map(() => msisdn)}::text[], ${i.map(() => productId)}::bigint[],
              ${hashes}::text[], ${i.map(() => randomUUID())}::uuid[], ${i.map(() => RESERVED_AT.toISOString())}::timestamptz[],
              ${i.map(() => 5)}::int[])`.execute(db.kysely);
      const refused = /guesses must be 2 items' distinct indexes, each array as long, in rounds from 1/;
      await assert.rejects(call([2], [1]), refused, 'an index past the items');
      await assert.rejects(call([0, 0], [1, 2]), refused, 'one item guessed twice');
      await assert.rejects(call([0, 1], [2, 1]), refused, 'rounds out of order');
      await assert.rejects(call([0, 1], [1, 3]), refused, 'a round skipped');
      await assert.rejects(call([0, 1], [1, 2], ['hmac2$shape']), refused, 'a shorter array');
      assert.equal((await pinOf(msisdn)).attempts, 0, 'nothing was judged');
    });
  });
}
