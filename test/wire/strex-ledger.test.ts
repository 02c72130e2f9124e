import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, engines, startTestApp, type TestApp, uniqueReference } from '../support/app.js';
import { assertLedgerConsistent, countRows, spendCounters } from '../support/ledger.js';
import { StrexClient } from '../support/strex.js';

const CONCURRENT_REQUESTS = 50;

/** Idempotency, concurrency, reversal, status and isolation between services. */
for (const engine of engines()) {
  describe(`Strex REST ledger semantics [${engine}]`, () => {
    let t: TestApp;
    let strex: StrexClient;
    let otherService: StrexClient;
    before(async () => {
      t = await startTestApp(engine, 'ledger');
      strex = new StrexClient(t.app);
      const merchantId = await t.app.merchants.createMerchant('Other merchant');
      await t.app.merchants.createService(
        { serviceId: 3000, merchantId, platform: 'directpay', name: 'Other shop', currency: 'NOK' },
        'other',
        'other-password',
      );
      otherService = new StrexClient(t.app, { serviceId: 3000, auth: basicAuth('other', 'other-password') });
    });
    after(async () => {
      await assertLedgerConsistent(t.app);
      await t.close();
    });

    const details = (msisdn: string, extra: Record<string, unknown> = {}) => ({
      Msisdn: msisdn,
      Price: 1000,
      ServiceCode: '10002',
      ClientReference: uniqueReference('ledger'),
      ...extra,
    });
    const transactionId = (body: unknown) => (body as { TransactionId: number }).TransactionId;
    /** A ZAR service (created by the first prepaid test) for the South African prepaid number. */
    const za = () => new StrexClient(t.app, { serviceId: 4000, auth: basicAuth('za', 'za-password') });
    /** Reverses every paid payment of the number and lets the outbox credit the prepaid balance. */
    async function refundAll(msisdn: string) {
      const paid = await t.app.db.kysely.selectFrom('payments').select('id').where('msisdn', '=', msisdn).where('status', '=', 'paid').execute();
      for (const row of paid) assert.equal((await za().reverse(Number(row.id))).status, 200);
      while ((await t.app.outbox.deliverDue()) > 0) {}
    }

    describe('idempotency', () => {
      it('a retry with the same details answers the first TransactionId and charges once', async () => {
        const request = details('+4790000030');
        const first = await strex.pay(request);
        const second = await strex.pay({ ...request, Attempt: 2 });
        assert.equal(first.status, 200);
        assert.deepEqual(second.body, first.body);
        assert.equal(await countRows(t.app, 'payments', { client_reference: request.ClientReference }), 1);
        assert.equal(await countRows(t.app, 'journal_entries', { payment_id: transactionId(first.body) }), 1);
        assert.deepEqual(await spendCounters(t.app, '+4790000030'), { M: 1000, Y: 1000 });
      });

      it('the same reference with different details → code 2, nothing charged', async () => {
        const request = details('+4790000031');
        await strex.pay(request);
        const message = `ClientReference ${request.ClientReference} was already used with different payment details`;
        for (const change of [{ Price: 1001 }, { Msisdn: '+4790000032' }, { ServiceCode: '10001' }, { Age: 18 }, { BusinessModel: 'MEDIA' }]) {
          const response = await strex.pay({ ...request, ...change });
          assert.equal(response.status, 400);
          assert.deepEqual(response.body, { Code: 2, Description: message });
        }
        assert.deepEqual(await spendCounters(t.app, '+4790000031'), { M: 1000, Y: 1000 });
        assert.deepEqual(await spendCounters(t.app, '+4790000032'), {});
      });

      it('a refused first attempt does not consume the reference', async () => {
        const request = details('+4790000008', { Price: 1001 });
        const refused = await strex.pay(request);
        assert.equal((refused.body as { Code: number }).Code, 8);
        const retry = await strex.pay({ ...request, Price: 500 });
        assert.equal(retry.status, 200, retry.text);
      });

      it(`${CONCURRENT_REQUESTS} concurrent identical requests: one payment, one journal entry, one spend`, async () => {
        const request = details('+4790000033');
        const responses = await Promise.all(Array.from({ length: CONCURRENT_REQUESTS }, () => strex.pay(request)));
        const id = transactionId(responses[0]?.body);
        for (const response of responses) {
          assert.equal(response.status, 200, response.text);
          assert.deepEqual(response.body, { ClientReference: request.ClientReference, TransactionId: id });
        }
        assert.equal(await countRows(t.app, 'payments', { client_reference: request.ClientReference }), 1);
        assert.equal(await countRows(t.app, 'journal_entries', { payment_id: id }), 1);
        assert.deepEqual(await spendCounters(t.app, '+4790000033'), { M: 1000, Y: 1000 });
      });

      it(`${CONCURRENT_REQUESTS} concurrent identical prepaid requests draw the balance once`, async () => {
        const request = details('+4790000005', { Price: 3000 });
        const responses = await Promise.all(Array.from({ length: CONCURRENT_REQUESTS }, () => strex.pay(request)));
        assert.equal(new Set(responses.map((r) => transactionId(r.body))).size, 1);
        // 50.00 - 30.00 leaves exactly 20.00.
        assert.equal((await strex.pay(details('+4790000005', { Price: 2000 }))).status, 200);
        assert.equal(((await strex.pay(details('+4790000005', { Price: 100 }))).body as { Code: number }).Code, 8);
      });

      it('concurrent distinct charges never overrun the monthly limit', async () => {
        const msisdn = '+4790000008';
        // Another test in this file already spent 5.00 of the 10.00 left for this number.
        const before = (await spendCounters(t.app, msisdn)).M ?? 0;
        const responses = await Promise.all(Array.from({ length: 20 }, () => strex.pay(details(msisdn, { Price: 100 }))));
        const paid = responses.filter((r) => r.status === 200).length;
        assert.equal(paid, (1000 - before) / 100);
        for (const r of responses.filter((r) => r.status !== 200)) {
          assert.deepEqual(r.body, { Code: 8, Description: "The subscriber's monthly spending limit would be exceeded" });
        }
        assert.equal((await spendCounters(t.app, msisdn)).M, 1000);
      });
    });

    describe('ReversePayment and GetPaymentStatus', () => {
      it('reverses a whole payment once; status then reads 2; a second DELETE answers the same', async () => {
        const request = details('+4790000034');
        const id = transactionId((await strex.pay(request)).body);
        const first = await strex.reverse(id);
        assert.equal(first.status, 200);
        assert.deepEqual(first.body, { TransactionId: id });
        const status = await strex.status(request.ClientReference);
        assert.deepEqual(status.body, { ClientReference: request.ClientReference, PaymentStatus: 2, TransactionId: id });
        const again = await strex.reverse(id);
        assert.equal(again.status, 200);
        assert.deepEqual(again.body, { TransactionId: id });
        assert.equal(await countRows(t.app, 'journal_entries', { payment_id: id }), 2);
        assert.equal(await countRows(t.app, 'outbox_events', { topic: 'payment.reversed' }), 1);
        // The spend is given back to the subscriber's limits.
        assert.deepEqual(await spendCounters(t.app, '+4790000034'), { M: 0, Y: 0 });
        // A retry of the reversed payment's Pay still names it and charges nothing.
        assert.deepEqual((await strex.pay(request)).body, { ClientReference: request.ClientReference, TransactionId: id });
      });

      it('concurrent reversals of one payment credit once', async () => {
        const id = transactionId((await strex.pay(details('+4790000035'))).body);
        const responses = await Promise.all(Array.from({ length: 20 }, () => strex.reverse(id)));
        for (const r of responses) assert.deepEqual(r.body, { TransactionId: id });
        assert.equal(await countRows(t.app, 'journal_entries', { payment_id: id, kind: 'reversal' }), 1);
      });

      it('a reversed prepaid payment gives the balance back through the outbox', async () => {
        const msisdn = '+27825550005';
        const zar = za();
        const merchantId = await t.app.merchants.createMerchant('ZA merchant');
        await t.app.merchants.createService({ serviceId: 4000, merchantId, platform: 'directpay', name: 'ZA', currency: 'ZAR' }, 'za', 'za-password');
        const id = transactionId((await zar.pay(details(msisdn, { Price: 5000 }))).body);
        assert.equal(((await zar.pay(details(msisdn, { Price: 100 }))).body as { Code: number }).Code, 8);
        assert.equal((await zar.reverse(id)).status, 200);
        while ((await t.app.outbox.deliverDue()) > 0) {}
        assert.equal((await zar.pay(details(msisdn, { Price: 5000 }))).status, 200);
      });

      it('a retry of a reversed prepaid Pay draws nothing again', async () => {
        const msisdn = '+27825550005';
        await refundAll(msisdn);
        const first = details(msisdn, { Price: 3000 });
        const id = transactionId((await za().pay(first)).body);
        assert.equal((await za().reverse(id)).status, 200);
        while ((await t.app.outbox.deliverDue()) > 0) {}
        assert.deepEqual((await za().pay(first)).body, { ClientReference: first.ClientReference, TransactionId: id });
        assert.equal(((await za().status(first.ClientReference)).body as { PaymentStatus: number }).PaymentStatus, 2);
        assert.equal((await za().pay(details(msisdn, { Price: 5000 }))).status, 200, 'the whole balance is still there');
      });

      it('an attempt the operator refused frees its reference for a new attempt', async () => {
        const msisdn = '+27825550005';
        const refused = details(msisdn, { Price: 100 });
        assert.equal(((await za().pay(refused)).body as { Code: number }).Code, 8);
        const failedId = transactionId((await za().status(refused.ClientReference)).body);
        await refundAll(msisdn);
        const retry = await za().pay(refused);
        assert.deepEqual(retry.body, { ClientReference: refused.ClientReference, TransactionId: failedId });
        assert.deepEqual((await za().status(refused.ClientReference)).body, {
          ClientReference: refused.ClientReference,
          PaymentStatus: 1,
          TransactionId: failedId,
        });
      });

      it('unknown transaction → code 3; malformed id → code 2', async () => {
        assert.deepEqual((await strex.reverse(2_000_000_000)).body, { Code: 3, Description: 'Transaction 2000000000 was not found' });
        assert.equal((await strex.reverse(2_000_000_000)).status, 404);
        const malformed = await strex.reverse('abc');
        assert.equal(malformed.status, 400);
        assert.deepEqual(malformed.body, { Code: 2, Description: 'Invalid transaction id abc' });
      });

      it('a payment still in progress cannot be reversed → code 2', async () => {
        const request = details('+4790000010');
        await strex.pay(request);
        const id = transactionId((await strex.status(request.ClientReference)).body);
        const response = await strex.reverse(id);
        assert.equal(response.status, 400);
        assert.deepEqual(response.body, { Code: 2, Description: `Transaction ${id} is pending and cannot be reversed` });
      });

      it('GetPaymentStatus of an unknown reference → code 3', async () => {
        const response = await strex.status('never-used');
        assert.equal(response.status, 404);
        assert.deepEqual(response.body, { Code: 3, Description: 'No payment with ClientReference never-used' });
      });
    });

    describe('isolation between services', () => {
      it("service B can neither read nor reverse service A's payment", async () => {
        const request = details('+4790000036');
        const id = transactionId((await strex.pay(request)).body);
        const read = await otherService.status(request.ClientReference);
        assert.equal(read.status, 404);
        assert.deepEqual(read.body, { Code: 3, Description: `No payment with ClientReference ${request.ClientReference}` });
        const reverse = await otherService.reverse(id);
        assert.equal(reverse.status, 404);
        assert.deepEqual(reverse.body, { Code: 3, Description: `Transaction ${id} was not found` });
        assert.equal(((await strex.status(request.ClientReference)).body as { PaymentStatus: number }).PaymentStatus, 1);
      });

      it('the same ClientReference in two services is two payments', async () => {
        const request = details('+4790000037');
        const a = transactionId((await strex.pay(request)).body);
        const b = transactionId((await otherService.pay(request)).body);
        assert.notEqual(a, b);
        assert.deepEqual(await spendCounters(t.app, '+4790000037'), { M: 2000, Y: 2000 });
      });

      it("service A's credentials do not open service B", async () => {
        const response = await strex.pay(details('+4790000038'), { serviceId: 3000 });
        assert.equal(response.status, 401);
        assert.deepEqual(response.body, { Code: 1, Description: 'Invalid service credentials' });
      });
    });
  });
}
