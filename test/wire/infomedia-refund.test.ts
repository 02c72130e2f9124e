import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { engines, startTestApp, type TestApp } from '../support/app.js';
import { assertLedgerConsistent } from '../support/ledger.js';
import { type Binding, BINDINGS, callMethod, expected, memberOf, PARTNER, PARTNER2, TEST_MX_KEYS } from '../support/infomedia.js';

const ZA = (nn: string) => `278255500${nn}`;

/** RefundTransaction: a whole refund of a bill through the core's reversal, its reason kept, each error from its cause. */
for (const engine of engines()) {
  describe(`Infomedia RefundTransaction [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(engine, 'infomedia_refund', { infomediaMxKeys: TEST_MX_KEYS });
    });
    after(() => t.close());

    /** A bill of 10.00 ZAR to the number (PIN first); answers its TXID. */
    const billed = async (msisdn: string, credentials: typeof PARTNER | typeof PARTNER2 = PARTNER, bpid = '1001') => {
      const pinAnswer = await callMethod(t, 'json', 'PINGenerateWithNetwork', { MX: msisdn, MCC: '655', MNC: '01', SID: bpid, ...credentials });
      const pin = memberOf('json', pinAnswer, 'PINID') ?? assert.fail(pinAnswer.body);
      const params = { BPID: bpid, PT: 'pt', MX: msisdn, MNC: '01', MCC: '655', Amount: '10.00', ItemDescription: 'item', ...credentials, PIN: pin };
      const bill = await callMethod(t, 'json', 'SendBillWithPin', params);
      return memberOf('json', bill, 'TXID') ?? assert.fail(bill.body);
    };
    const refund = (binding: Binding, txid: string, reason = '05', credentials: { U: string; P: string } = PARTNER) =>
      callMethod(t, binding, 'RefundTransaction', { TXID: txid, ReasonCode: reason, ...credentials });
    const answer = (binding: Binding, members: Record<string, unknown>) =>
      expected(binding, 'RefundTransaction', 'RefundResult', 'MobilePaymentsLibrary.RefundTransaction', members);
    const refusal = (binding: Binding, description: string) => answer(binding, { Status: 'Error', Description: description, RefundAmount: null, RefundCurrencyCode: null });

    for (const [index, binding] of BINDINGS.entries()) {
      it(`over ${binding}: a paid bill is refunded whole once, with its reason kept; a second refund is 46`, async () => {
        const msisdn = ZA(`2${index}`);
        const txid = await billed(msisdn);
        assert.deepEqual(await refund(binding, txid, '41'), answer(binding, { Status: 'Success', Description: '00 - Transaction Refunded', RefundAmount: '10.00', RefundCurrencyCode: 'ZAR' }));
        assert.deepEqual(await refund(binding, txid, '05'), refusal(binding, '46 - TransactionID already refunded'));
        const row = await t.app.db.kysely
          .selectFrom('payments as p')
          .innerJoin('payment_refund_reasons as r', 'r.payment_id', 'p.id')
          .select(['p.status', 'r.reason_code'])
          .where('p.client_reference', '=', txid)
          .executeTakeFirstOrThrow();
        assert.deepEqual(row, { status: 'reversed', reason_code: '41' });
      });
    }

    it('12 for a TXID that is no UUID, unknown, or another partner’s; 45 for a reason §5.2 does not list', async () => {
      const txid = await billed(ZA('30'));
      const foreign = await billed(ZA('31'), PARTNER2, '2001');
      for (const TXID of ['', 'abc', '230cf082-2244-49a3-8e6c-b78dd812f614', foreign]) assert.deepEqual(await refund('get', TXID), refusal('get', '12 - Invalid TXID'), TXID);
      for (const reason of ['', '99', '5', '05x']) assert.deepEqual(await refund('get', txid, reason), refusal('get', '45 - Invalid ReasonCode'), reason);
      assert.deepEqual(await refund('get', txid, '05', { U: 'demo', P: 'nope' }), refusal('get', '01 - Invalid Login'));
      assert.equal(memberOf('get', await refund('get', foreign, '05', PARTNER2), 'Description'), '00 - Transaction Refunded', 'its own partner may');
    });

    it('47 for a bill that was refused, is still pending, or billed nothing (ported)', async () => {
      for (const nn of ['03', '10', '15']) assert.deepEqual(await refund('post', await billed(ZA(nn))), refusal('post', '47 - Refund failed'), nn);
    });

    it('10 concurrent refunds of one bill refund it once; the ledger holds', async () => {
      const txid = await billed(ZA('32'));
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => refund(BINDINGS[i % BINDINGS.length] as Binding, txid)));
      const descriptions = answers.map((a, i) => memberOf(BINDINGS[i % BINDINGS.length] as Binding, a, 'Description'));
      assert.equal(descriptions.filter((d) => d === '00 - Transaction Refunded').length, 1, JSON.stringify(descriptions));
      assert.equal(descriptions.filter((d) => d === '46 - TransactionID already refunded').length, 9);
      const reversals = await t.app.db.kysely
        .selectFrom('journal_entries as j')
        .innerJoin('payments as p', 'p.id', 'j.payment_id')
        .select('j.kind')
        .where('p.client_reference', '=', txid)
        .execute();
      assert.deepEqual(reversals.map((r) => r.kind).sort(), ['charge', 'reversal']);
      await assertLedgerConsistent(t.app);
    });
  });
}
