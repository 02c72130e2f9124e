import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { engines, startTestApp, type TestApp } from '../support/app.js';
import { IM_BASE, PARTNER, TEST_MX_KEYS } from '../support/infomedia.js';

/** A request that is no set of parameters at all is 400, as an unreadable body is (reference §14), not a method's code. */
for (const engine of engines()) {
  describe(`Infomedia request shape [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(engine, 'infomedia_request_shape', { infomediaMxKeys: TEST_MX_KEYS });
    });
    after(() => t.close());

    const post = (method: string, contentType: string, payload: string) =>
      t.app.http.inject({ method: 'POST', url: `${IM_BASE}/${method}`, headers: { 'content-type': contentType }, payload });

    it('a JSON array, string or number is 400 in the method\'s answer, on DecryptMX and SendBillWithPin alike (no bill code)', async () => {
      const text = 'Invalid request: the body is not one set of parameters';
      const answers: Record<string, string> = {
        DecryptMX: `{"d":{"__type":"MobilePaymentsLibrary.DecryptMX","Status":"Error","Description":"${text}","MSISDN":null}}`,
        SendBillWithPin: `{"d":{"__type":"MobilePaymentsLibrary.Bill","Status":"Error","Description":"${text}","BPID":null,"MX":null,"TXID":null,"MCC":null,"MNC":null}}`,
      };
      for (const [method, body] of Object.entries(answers)) {
        for (const payload of ['[]', '"MX"', '5', `[${JSON.stringify({ MX: 'a', ...PARTNER })}]`]) {
          const answer = await post(method, 'application/json', payload);
          assert.equal(answer.statusCode, 400, `${method} ${payload}`);
          assert.equal(answer.body, body, `${method} ${payload}`);
        }
      }
    });

    it('too many form parameters is 400 too; a parameter given twice keeps its own code', async () => {
      const many = Array.from({ length: 200 }, (_, i) => `x${i}=1`).join('&');
      const answer = await post('DecryptMX', 'application/x-www-form-urlencoded', `MX=a&U=demo&P=demo-password&${many}`);
      assert.equal(answer.statusCode, 400);
      assert.match(answer.body, /<Description>Invalid request: the body is not one set of parameters<\/Description>/);
      const twice = await post('DecryptMX', 'application/json', JSON.stringify({ MX: 'a', mx: 'b', ...PARTNER }));
      assert.equal(twice.statusCode, 200);
      assert.equal(twice.body, '{"d":{"__type":"MobilePaymentsLibrary.DecryptMX","Status":"Error","Description":"00 - Invalid MX","MSISDN":null}}');
    });
  });
}
