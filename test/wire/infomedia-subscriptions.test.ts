import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { SubscriptionService } from '../../src/core/subscriptions/service.js';
import type { Msisdn } from '../../src/kernel/msisdn.js';
import { SqlProductRepository } from '../../src/storage/repositories/products.js';
import { SqlSubscriptionRepository } from '../../src/storage/repositories/subscriptions.js';
import { engines, startTestApp, type TestApp } from '../support/app.js';
import { type Answer, type Binding, BINDINGS, callMethod, expected, memberOf, PARTNER, PARTNER2, TEST_MX_KEYS, TEST_SEALER } from '../support/infomedia.js';

const SUBSCRIBER = '+27825550001';
const NETWORK = { MCC: '655', MNC: '01' } as const;

/** SubscriptionCheck and SubscriptionUnsubscribe (§4.4, §4.5) in all four bindings, on core subscriptions. */
for (const engine of engines()) {
  describe(`Infomedia SubscriptionCheck, SubscriptionUnsubscribe [${engine}]`, () => {
    let t: TestApp;
    let subscriptions: SubscriptionService;
    let partnerEndpointId: number;
    let merchantId: number;
    before(async () => {
      t = await startTestApp(engine, 'infomedia_subscriptions', { infomediaMxKeys: TEST_MX_KEYS });
      subscriptions = new SubscriptionService(new SqlSubscriptionRepository(t.app.db.kysely), new SqlProductRepository(t.app.db.kysely), t.clock);
      const row = await t.app.db.kysely
        .selectFrom('credentials as c')
        .innerJoin('endpoints as e', 'e.id', 'c.endpoint_id')
        .select(['c.endpoint_id', 'e.merchant_id'])
        .where('c.identifier', '=', PARTNER.U)
        .where('c.kind', '=', 'password')
        .executeTakeFirstOrThrow();
      partnerEndpointId = Number(row.endpoint_id);
      merchantId = Number(row.merchant_id);
    });
    after(() => t.close());

    const join = async (msisdn: string, productId: number) => {
      const joined = await subscriptions.join({ merchantId, endpointId: partnerEndpointId, productId, msisdn: msisdn as Msisdn, operator: '655-01', reference: null });
      assert.ok(joined.ok && joined.value.created);
      return joined.value.subscription;
    };
    const subsCheck = (binding: Binding, members: Record<string, unknown>) => expected(binding, 'SubscriptionCheck', 'SubsCheck', 'MobilePaymentsLibrary.SubscriptionCheck', members);
    const subsUnsub = (binding: Binding, members: Record<string, unknown>) =>
      expected(binding, 'SubscriptionUnsubscribe', 'SubsUnsub', 'MobilePaymentsLibrary.SubscriptionUnsubscribe', members);
    const error = (Description: string) => ({ Status: 'Error', Description, SID: null, MX: null, MCC: null, MNC: null });
    /** A success answer whose MX is this partner's seal of the subscriber (sealing is randomised, so the MX is read back). */
    const success = (binding: Binding, answer: Answer, Description: string, msisdn: string, SID: string) => {
      const mx = memberOf(binding, answer, 'MX') ?? '';
      assert.equal(TEST_SEALER.open(partnerEndpointId, mx), msisdn, 'the MX seals the subscriber for this partner');
      return { Status: 'Success', Description, SID, MX: mx, MCC: '655', MNC: '01' };
    };

    for (const [index, binding] of BINDINGS.entries()) {
      const msisdn = `+2782555010${index}`;
      it(`SubscriptionCheck over ${binding}: a trial is subscribed (by plain MSISDN or MX); joined but unpaid, or none, is 18`, async () => {
        const none = await callMethod(t, binding, 'SubscriptionCheck', { SID: '1002', MX: msisdn.slice(1), ...NETWORK, ...PARTNER });
        assert.deepEqual(none, subsCheck(binding, error('18 - User is not subscribed')));
        await join(msisdn, 1002);
        const plain = await callMethod(t, binding, 'SubscriptionCheck', { SID: '1002', MX: msisdn.slice(1), MNC: '1', MCC: '655', ...PARTNER });
        assert.deepEqual(plain, subsCheck(binding, success(binding, plain, '00 - User is subscribed', msisdn, '1002')), 'MNC 1 is answered as 01');
        const sealed = await callMethod(t, binding, 'SubscriptionCheck', { SID: '1002', MX: TEST_SEALER.seal(partnerEndpointId, msisdn as Msisdn), ...NETWORK, ...PARTNER });
        assert.deepEqual(sealed, subsCheck(binding, success(binding, sealed, '00 - User is subscribed', msisdn, '1002')));
        await join(msisdn, 1003);
        const pending = await callMethod(t, binding, 'SubscriptionCheck', { SID: '1003', MX: msisdn.slice(1), ...NETWORK, ...PARTNER });
        assert.deepEqual(pending, subsCheck(binding, error('18 - User is not subscribed')), 'no trial and not yet paid');
      });

      it(`SubscriptionUnsubscribe over ${binding}: cancels once with one event; then 18, and the check says 18`, async () => {
        const before = (await sql<{ n: string }>`SELECT count(*) AS n FROM outbox_events WHERE topic = 'subscription.cancelled'`.execute(t.app.db.kysely)).rows[0]?.n;
        const params = { SID: '1002', MX: msisdn.slice(1), ...NETWORK, ...PARTNER };
        const cancelled = await callMethod(t, binding, 'SubscriptionUnsubscribe', params);
        assert.deepEqual(cancelled, subsUnsub(binding, success(binding, cancelled, '00 - User has been unsubscribed', msisdn, '1002')));
        assert.deepEqual(await callMethod(t, binding, 'SubscriptionUnsubscribe', params), subsUnsub(binding, error('18 - User is not subscribed')));
        assert.deepEqual(await callMethod(t, binding, 'SubscriptionCheck', params), subsCheck(binding, error('18 - User is not subscribed')));
        const afterCount = (await sql<{ n: string }>`SELECT count(*) AS n FROM outbox_events WHERE topic = 'subscription.cancelled'`.execute(t.app.db.kysely)).rows[0]?.n;
        assert.equal(Number(afterCount) - Number(before), 1);
        const pending = await callMethod(t, binding, 'SubscriptionUnsubscribe', { ...params, SID: '1003' });
        assert.deepEqual(pending, subsUnsub(binding, success(binding, pending, '00 - User has been unsubscribed', msisdn, '1003')), 'a subscription not yet paid is cancelled too');
      });

      it(`over ${binding}: each parameter by its own code; another partner's product is 02`, async () => {
        const ok = { SID: '1002', MX: SUBSCRIBER.slice(1), ...NETWORK, ...PARTNER };
        const cases: [Record<string, string>, string, string][] = [
          [{ ...ok, SID: '9999' }, '15 - Invalid SID', '15 - Invalid SID'],
          [{ ...ok, SID: 'abc' }, '15 - Invalid SID', '15 - Invalid SID'],
          [{ ...ok, SID: '2001' }, '02 - Unuathorised', '02 - Unuathorised'],
          [{ ...ok, MX: 'not-an-mx' }, '00 - Invalid MX', '00 - Invalid MX'],
          [{ ...ok, MX: TEST_SEALER.seal(partnerEndpointId + 1, SUBSCRIBER as Msisdn) }, '00 - Invalid MX', '00 - Invalid MX'],
          [{ ...ok, MNC: '' }, '07 - Invalid MNC', '07 - Invalid MNC'],
          [{ ...ok, MCC: '6550' }, '08 - Invalid MCC', '08 - Invalid MCC'],
          [{ ...ok, P: 'wrong' }, '01 - Invalid login', '01 - Invalid Login'],
        ];
        for (const [params, check, unsubscribe] of cases) {
          assert.deepEqual(await callMethod(t, binding, 'SubscriptionCheck', params), subsCheck(binding, error(check)), JSON.stringify(params));
          assert.deepEqual(await callMethod(t, binding, 'SubscriptionUnsubscribe', params), subsUnsub(binding, error(unsubscribe)), JSON.stringify(params));
        }
        // Malformed input: a NUL, an over-long value, each refused by the code of its parameter.
        if (binding !== 'soap') {
          assert.deepEqual(await callMethod(t, binding, 'SubscriptionCheck', { ...ok, MX: '2782555\u00000001' }), subsCheck(binding, error('00 - Invalid MX')), 'NUL in MX');
        }
        assert.deepEqual(await callMethod(t, binding, 'SubscriptionCheck', { ...ok, SID: '1'.repeat(21) }), subsCheck(binding, error('15 - Invalid SID')), 'over-long SID');
        assert.deepEqual(await callMethod(t, binding, 'SubscriptionUnsubscribe', { ...ok, MX: '2'.repeat(201) }), subsUnsub(binding, error('00 - Invalid MX')), 'over-long MX');
        assert.deepEqual(await callMethod(t, binding, 'SubscriptionUnsubscribe', { ...ok, MCC: '6'.repeat(9) }), subsUnsub(binding, error('08 - Invalid MCC')), 'over-long MCC');
        const { SID: _sid, ...noSid } = ok;
        assert.deepEqual(await callMethod(t, binding, 'SubscriptionCheck', noSid), subsCheck(binding, error('15 - Invalid SID')), 'no SID');
        const foreign = await callMethod(t, binding, 'SubscriptionCheck', { ...ok, SID: '2001', ...PARTNER2 });
        assert.deepEqual(foreign, subsCheck(binding, error('18 - User is not subscribed')), "the other partner's own product");
      });
    }
  });
}
