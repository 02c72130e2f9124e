import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodePayload, isOutboxTopic } from '../../src/core/outbox/catalogue.js';
import { DEMO_AUTH, engines, startTestApp, type TestApp, uniqueReference } from '../support/app.js';
import { StrexClient } from '../support/strex.js';

/** What the SQL functions write to the outbox has the shape the catalogue declares for its topic. */
for (const engine of engines()) {
  describe(`outbox payloads written by SQL [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(engine, 'outbox_payloads');
    });
    after(() => t.close());

    it('a reversal (enqueue_payment_event) and a verification code (issue_verification_code) decode as their topics', async () => {
      const strex = new StrexClient(t.app);
      const msisdn = '+4790000031';
      const reference = uniqueReference('payload');
      const paid = await strex.pay({ Msisdn: msisdn, Price: 1500, ServiceCode: '10002', ClientReference: reference });
      assert.equal(paid.status, 200, paid.text);
      const paymentId = (paid.body as { TransactionId: number }).TransactionId;
      assert.equal((await strex.reverse(paymentId)).status, 200);
      const sent = await t.app.http.inject({
        method: 'POST',
        url: '/RestV1.svc/service/1000/verificationcode',
        headers: { authorization: DEMO_AUTH, 'content-type': 'application/json' },
        payload: JSON.stringify({ Msisdn: msisdn }),
      });
      assert.equal(sent.statusCode, 200, sent.body);

      const rows = await t.app.db.kysely.selectFrom('outbox_events').select(['topic', 'payload']).where('delivered_at', 'is', null).orderBy('id').execute();
      const decoded = rows.map(({ topic, payload }) => {
        assert.ok(isOutboxTopic(topic), `${topic} is declared`);
        return { topic, payload: decodePayload(topic, (typeof payload === 'string' ? JSON.parse(payload) : payload) as Record<string, unknown>) };
      });
      const payment = await t.app.db.kysely.selectFrom('payments').select(['service_id', 'merchant_id', 'operator', 'attempt']).where('id', '=', paymentId).executeTakeFirstOrThrow();
      assert.deepEqual(decoded.find((d) => d.topic === 'payment.reversed')?.payload, {
        paymentId,
        serviceId: Number(payment.service_id),
        merchantId: Number(payment.merchant_id),
        clientReference: reference,
        msisdn,
        operator: payment.operator,
        amountMinor: '1500',
        currency: 'NOK',
        debitReference: `${paymentId}.${payment.attempt}`,
      });
      const sms = decoded.find((d) => d.topic === 'sms.send')?.payload as { to: string; from: string; text: string } | undefined;
      assert.deepEqual(sms && { to: sms.to, from: sms.from }, { to: msisdn, from: 'Strex' });
      assert.match(sms?.text ?? '', /^Your verification code is \d{6}$/);
    });
  });
}
