import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { engines, startTestApp, type TestApp, uniqueReference } from '../support/app.js';
import { countRows, spendCounters } from '../support/ledger.js';
import { StrexClient } from '../support/strex.js';

const TIMEOUT_MS = 4_000;
const CONCURRENT_WAITS = 200;
const MAX_RSS_GROWTH_BYTES = 100 * 1024 * 1024;

/** Pay with SecurityLevel 2: the subscriber confirms on the handset before anything is charged. */
for (const engine of engines()) {
  describe(`Strex REST Pay with confirmation [${engine}]`, () => {
    let t: TestApp;
    let strex: StrexClient;
    before(async () => {
      t = await startTestApp(engine, 'confirmation', { confirmationTimeoutMs: TIMEOUT_MS });
      strex = new StrexClient(t.app);
    });
    after(() => t.close());

    const details = (msisdn: string, extra: Record<string, unknown> = {}) => ({
      Msisdn: msisdn,
      Price: 1000,
      ServiceCode: '10002',
      ClientReference: uniqueReference('conf'),
      SecurityLevel: 2,
      ConfirmationChannel: 2,
      ...extra,
    });
    const prompts = async (msisdn: string) =>
      (await t.app.http.inject({ method: 'GET', url: `/sandbox/handsets/${encodeURIComponent(msisdn)}/prompts` })).json() as {
        id: number;
        channel: string;
        from: string | null;
        text: string;
      }[];
    const answer = (msisdn: string, id: number, what: 'confirm' | 'decline') =>
      t.app.http.inject({
        method: 'POST',
        url: `/sandbox/handsets/${encodeURIComponent(msisdn)}/prompts/${id}/${what}`,
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      });
    async function nextPrompt(msisdn: string) {
      for (let i = 0; i < 50; i++) {
        const [prompt] = await prompts(msisdn);
        if (prompt) return prompt;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return assert.fail('no prompt appeared');
    }
    const status = async (reference: string) => (await strex.status(reference)).body as { PaymentStatus: number; TransactionId: number };

    it('a default subscriber confirms after a second: paid', async () => {
      const request = details('+4790000070');
      const started = Date.now();
      const response = await strex.pay(request);
      assert.equal(response.status, 200, response.text);
      assert.ok(Date.now() - started >= 900, 'waited for the answer');
      assert.equal((await status(request.ClientReference)).PaymentStatus, 1);
      assert.deepEqual(await spendCounters(t.app, '+4790000070'), { M: 1000, Y: 1000 });
    });

    it('12 declines: code 6, nothing charged', async () => {
      const request = details('+4790000012');
      const response = await strex.pay(request);
      assert.equal(response.status, 403);
      assert.deepEqual(response.body, { Code: 6, Description: 'The subscriber declined the payment' });
      const { PaymentStatus, TransactionId } = await status(request.ClientReference);
      assert.equal(PaymentStatus, 0);
      assert.equal(await countRows(t.app, 'journal_entries', { payment_id: TransactionId }), 0);
      assert.deepEqual(await spendCounters(t.app, '+4790000012'), { M: 0, Y: 0 });
    });

    it('13 never answers: code 10 when the wait times out, nothing charged', async () => {
      const request = details('+4790000013');
      const started = Date.now();
      const response = await strex.pay(request);
      assert.ok(Date.now() - started >= TIMEOUT_MS - 50);
      assert.equal(response.status, 424);
      assert.deepEqual(response.body, { Code: 10, Description: 'The subscriber did not confirm the payment in time' });
      assert.equal((await status(request.ClientReference)).PaymentStatus, 0);
      assert.deepEqual(await spendCounters(t.app, '+4790000013'), { M: 0, Y: 0 });
    });

    it('14 waits for the handset: answered there, paid; answers are single and by the right handset', async () => {
      const msisdn = '+4790000014';
      const request = details(msisdn, { ConfirmationChannel: 1, EndUserInvoiceText: 'Cinema ticket' });
      const paying = strex.pay(request);
      const prompt = await nextPrompt(msisdn);
      assert.deepEqual(
        { channel: prompt.channel, from: prompt.from, text: prompt.text },
        { channel: 'ussd', from: null, text: 'Confirm payment of 10.00 NOK for Cinema ticket?' },
      );
      // While the subscriber is asked, a retry names the same payment and settlement leaves it alone.
      const retry = await strex.pay(request);
      assert.equal(retry.status, 200);
      // Past the settlement grace period, before the prompt expires.
      t.clock.advance(2_500);
      assert.equal(await t.app.payments.settlePending(), 0);
      assert.equal((await answer('+4790000015', prompt.id, 'confirm')).statusCode, 409, "another handset's answer");
      assert.equal((await answer(msisdn, prompt.id, 'confirm')).statusCode, 200);
      assert.equal((await answer(msisdn, prompt.id, 'decline')).statusCode, 409, 'answered once');
      const response = await paying;
      assert.deepEqual(response.body, retry.body);
      assert.equal((await status(request.ClientReference)).PaymentStatus, 1);
    });

    it('a declined prompt answered on the handset charges nothing, and the answer API needs JSON', async () => {
      const msisdn = '+4790000014';
      const request = details(msisdn);
      const paying = strex.pay(request);
      const prompt = await nextPrompt(msisdn);
      const form = await t.app.http.inject({
        method: 'POST',
        url: `/sandbox/handsets/${msisdn}/prompts/${prompt.id}/confirm`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'a=1',
      });
      assert.equal(form.statusCode, 415);
      assert.equal((await answer(msisdn, prompt.id, 'decline')).statusCode, 200);
      assert.deepEqual((await paying).body, { Code: 6, Description: 'The subscriber declined the payment' });
    });

    it('a prepaid subscriber is debited only after confirming', async () => {
      const response = await strex.pay(details('+4790000005', { Price: 5000 }));
      assert.equal(response.status, 200, response.text);
      const broke = await strex.pay(details('+4790000005', { Price: 100 }));
      assert.deepEqual(broke.body, { Code: 8, Description: 'Insufficient funds on the prepaid subscription' });
    });

    it(`${CONCURRENT_WAITS} concurrent waits are cheap: RSS grows by less than 100 MB, nothing charged`, async () => {
      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      let rssPeak = rssBefore;
      const sampler = setInterval(() => {
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }, 50);
      const responses = await Promise.all(
        Array.from({ length: CONCURRENT_WAITS }, () => strex.pay(details('+4790000013', { Price: 100 }))),
      );
      clearInterval(sampler);
      for (const response of responses) assert.equal((response.body as { Code: number }).Code, 10);
      assert.ok(rssPeak - rssBefore < MAX_RSS_GROWTH_BYTES, `RSS grew by ${Math.round((rssPeak - rssBefore) / 1e6)} MB`);
      assert.deepEqual(await spendCounters(t.app, '+4790000013'), { M: 0, Y: 0 });
    });
  });
}
