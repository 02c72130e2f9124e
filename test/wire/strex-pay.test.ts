import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { engines, startTestApp, type TestApp, uniqueReference } from '../support/app.js';
import { StrexClient } from '../support/strex.js';

/** Pay against every row of the sandbox table that touches a charge. */
for (const engine of engines()) {
  describe(`Strex REST Pay, sandbox subscribers [${engine}]`, () => {
    let t: TestApp;
    let strex: StrexClient;
    before(async () => {
      t = await startTestApp(engine, 'pay');
      strex = new StrexClient(t.app);
    });
    after(() => t.close());

    const details = (msisdn: string, extra: Record<string, unknown> = {}) => ({
      Msisdn: msisdn,
      Price: 1000,
      ServiceCode: '10002',
      ClientReference: uniqueReference('pay'),
      ...extra,
    });

    async function expectPaid(msisdn: string, extra: Record<string, unknown> = {}) {
      const request = details(msisdn, extra);
      const response = await strex.pay(request);
      assert.equal(response.status, 200, response.text);
      const body = response.body as { ClientReference: string; TransactionId: number };
      assert.deepEqual(Object.keys(body), ['ClientReference', 'TransactionId']);
      assert.equal(body.ClientReference, request.ClientReference);
      assert.ok(Number.isInteger(body.TransactionId) && body.TransactionId > 1_000_000);
      const status = await strex.status(request.ClientReference);
      assert.deepEqual(status.body, { ClientReference: request.ClientReference, PaymentStatus: 1, TransactionId: body.TransactionId });
      return body.TransactionId;
    }

    /**
     * A charge refused before the operator is asked leaves nothing to read; one the
     * operator refused reads as NotPaid (0). Either way its ClientReference stays usable.
     */
    async function expectFault(
      msisdn: string,
      httpStatus: number,
      fault: { Code: number; Description: string },
      extra = {},
      refusedBy: 'platform' | 'operator' = 'platform',
    ) {
      const request = details(msisdn, extra);
      const response = await strex.pay(request);
      assert.equal(response.status, httpStatus, response.text);
      assert.deepEqual(response.body, fault);
      const status = await strex.status(request.ClientReference);
      if (refusedBy === 'platform') {
        assert.equal(status.status, 404);
        return;
      }
      const { TransactionId } = status.body as { TransactionId: number };
      assert.deepEqual(status.body, { ClientReference: request.ClientReference, PaymentStatus: 0, TransactionId });
    }

    it('charges a default-profile subscriber, in and outside the sandbox blocks', async () => {
      await expectPaid('+4790000000');
      await expectPaid('+4790000099');
      await expectPaid('+4741234567');
      await expectPaid('004790000020');
    });

    it('01: unknown subscriber → code 12', () =>
      expectFault('+4790000001', 424, { Code: 12, Description: 'Unknown subscriber at the operator' }));

    it('02: not valid for licensed purchase → code 12', () =>
      expectFault('+4790000002', 424, { Code: 12, Description: 'The subscriber is not valid for licensed purchase' }));

    it('03: billing barred → code 7', () =>
      expectFault('+4790000003', 403, { Code: 7, Description: 'Billing is barred for the msisdn' }));

    it('04: BankID-verified subscriber without yearly limit is charged', async () => {
      await expectPaid('+4790000004');
    });

    it('05: prepaid is charged until the balance of 50.00 is spent, then code 8', async () => {
      await expectPaid('+4790000005', { Price: 3000 });
      await expectPaid('+4790000005', { Price: 2000 });
      const insufficient = { Code: 8, Description: 'Insufficient funds on the prepaid subscription' };
      await expectFault('+4790000005', 424, insufficient, { Price: 100 }, 'operator');
    });

    it('06: age 15 is refused when age 16 or 18 is required, charged otherwise', async () => {
      await expectFault('+4790000006', 424, { Code: 12, Description: 'The subscriber is below the required age 16' }, { Age: 16 });
      await expectFault('+4790000006', 424, { Code: 12, Description: 'The subscriber is below the required age 18' }, { Age: 18 });
      await expectPaid('+4790000006');
    });

    it('07: age 17 is refused only when age 18 is required', async () => {
      await expectFault('+4790000007', 424, { Code: 12, Description: 'The subscriber is below the required age 18' }, { Age: 18 });
      await expectPaid('+4790000007', { Age: 16 });
    });

    it('08: 10.00 left of the monthly limit; above it code 8', async () => {
      await expectFault('+4790000008', 424, { Code: 8, Description: "The subscriber's monthly spending limit would be exceeded" }, {
        Price: 1001,
      });
      await expectPaid('+4790000008', { Price: 600 });
      await expectPaid('+4790000008', { Price: 400 });
      await expectFault('+4790000008', 424, { Code: 8, Description: "The subscriber's monthly spending limit would be exceeded" }, {
        Price: 100,
      });
    });

    it('10: the operator answers late → code 9, pending, settles as paid 5 s later', async () => {
      const request = details('+4790000010');
      const response = await strex.pay(request);
      assert.equal(response.status, 424);
      assert.deepEqual(response.body, { Code: 9, Description: 'The operator did not answer in time; the payment is in progress' });
      const pending = await strex.status(request.ClientReference);
      assert.equal(pending.status, 200);
      const { TransactionId } = pending.body as { TransactionId: number };
      assert.deepEqual(pending.body, { ClientReference: request.ClientReference, PaymentStatus: 0, TransactionId });
      // A retry while pending names the same transaction and charges nothing new.
      const retry = await strex.pay(request);
      assert.deepEqual(retry.body, { ClientReference: request.ClientReference, TransactionId });
      t.clock.advance(5_000);
      const settled = await strex.status(request.ClientReference);
      assert.deepEqual(settled.body, { ClientReference: request.ClientReference, PaymentStatus: 1, TransactionId });
    });

    it('11: operator technical error → code 11', () =>
      expectFault('+4790000011', 424, { Code: 11, Description: 'The operator reported a technical error' }, {}, 'operator'));

    it('12, 13, 14: consent behaviours do not matter without confirmation (SecurityLevel 1)', async () => {
      for (const nn of ['12', '13', '14']) await expectPaid(`+47900000${nn}`, { SecurityLevel: 1 });
    });

    it('15: ported subscriber is charged at the operator it ported to', async () => {
      const id = await expectPaid('+4790000015');
      const row = await t.app.db.kysely.selectFrom('payments').select('operator').where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.operator, '242-02');
    });

    it('16: card-funded subscriber is charged', async () => {
      await expectPaid('+4790000016');
    });

    it('17: whitelisted test subscriber succeeds and is never charged', async () => {
      const id = await expectPaid('+4790000017');
      const row = await t.app.db.kysely
        .selectFrom('payments')
        .select(['test_subscriber'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(row.test_subscriber, true);
      const spent = await t.app.db.kysely.selectFrom('subscriber_spend').selectAll().where('msisdn', '=', '+4790000017').execute();
      assert.deepEqual(spent, []);
    });

    it('18: blacklisted by the platform operator → code 6', () =>
      expectFault('+4790000018', 403, { Code: 6, Description: 'The msisdn is blacklisted' }));

    it('a subscriber of an operator that does not bill in NOK → code 12', () =>
      expectFault('+447700900000', 424, { Code: 12, Description: 'The operator Vodafone does not bill in NOK' }));

  });
}
