import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LOGIN_THROTTLE } from '../../src/core/merchants/throttle.js';
import { basicAuth, DEMO_AUTH, engines, startTestApp, type TestApp, uniqueReference } from '../support/app.js';

const GUESSER = '203.0.113.7';
const MERCHANT = '198.51.100.10';
const CHALLENGE = 'Basic realm="Strex Direct Payment", charset="UTF-8"';

/** Authentication of the Strex facade as a guesser and as a working merchant see it. */
for (const engine of engines()) {
  describe(`Strex authentication and its throttle [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(engine, 'strex_auth');
    });
    after(() => t.close());

    const status = (auth: string | undefined, remoteAddress: string) =>
      t.app.http.inject({
        method: 'GET',
        url: '/RestV1.svc/service/1000/pay/nothing-here',
        remoteAddress,
        headers: auth ? { authorization: auth } : {},
      });
    const pay = (remoteAddress: string) =>
      t.app.http.inject({
        method: 'POST',
        url: '/RestV1.svc/service/1000/pay',
        remoteAddress,
        headers: { authorization: DEMO_AUTH, 'content-type': 'application/json' },
        payload: { PaymentDetails: { Msisdn: '+4790000000', Price: 1000, ServiceCode: '10002', ClientReference: uniqueReference('auth') } },
      });

    it('a 401 challenges with WWW-Authenticate: Basic realm', async () => {
      const missing = await status(undefined, '192.0.2.1');
      assert.equal(missing.statusCode, 401);
      assert.equal(missing.headers['www-authenticate'], CHALLENGE);
      assert.deepEqual(missing.json(), { Code: 1, Description: 'Invalid service credentials' });
      const wrong = await status(basicAuth('demo', 'nope'), '192.0.2.1');
      assert.equal(wrong.headers['www-authenticate'], CHALLENGE);
      assert.equal((await status(DEMO_AUTH, '192.0.2.1')).headers['www-authenticate'], undefined, 'no challenge once authenticated (404)');
    });

    it('400 concurrent guesses: 20 are checked, the right password at guess 300 is refused, and a working merchant never is', async () => {
      assert.equal((await pay(MERCHANT)).statusCode, 200, 'the merchant has paid before the attack');
      // A full budget of hashes for new sources (kept by the test clock), so all 20 checks are hashed.
      t.clock.advance(10_000);
      const guesses = Array.from({ length: 400 }, (_, i) => basicAuth('demo', i === 299 ? 'demo-password' : `guess-${i}`));
      const merchantDuring = Promise.all(Array.from({ length: 20 }, () => pay(MERCHANT)));
      const responses = await Promise.all(guesses.map((auth) => status(auth, GUESSER)));
      const descriptions = responses.map((r) => `${r.statusCode} ${(r.json() as { Description: string }).Description}`);
      // The budget of hashes for new sources answers first, before anything is counted; the
      // guesses it lets through are counted, and exactly the per-account-source limit is checked.
      // (The budget refills in real time while the test runs, so a late guess may get a token:
      // it is then counted, over the limit, and refused as throttled.)
      const BUSY = '401 Too many logins are being checked; try again shortly';
      const THROTTLED = '401 Too many failed logins; try again later';
      assert.equal(descriptions.filter((d) => d === '401 Invalid service credentials').length, LOGIN_THROTTLE.perAccountSource);
      assert.equal(descriptions.filter((d) => d === BUSY || d === THROTTLED).length, 400 - LOGIN_THROTTLE.perAccountSource);
      const rightPassword = String(descriptions[299]);
      assert.ok(rightPassword === BUSY || rightPassword === THROTTLED, rightPassword);
      assert.equal(responses[399]?.headers['retry-after'] !== undefined, true);
      for (const response of await merchantDuring) assert.equal(response.statusCode, 200, response.body);
      // The budget refilled: the guesser's next tries are counted, and its 20 failures lock it out, right password or not.
      t.clock.advance(10_000);
      const more = await Promise.all([basicAuth('demo', 'demo-password'), ...Array.from({ length: 19 }, (_, i) => basicAuth('demo', `again-${i}`))].map((auth) => status(auth, GUESSER)));
      for (const response of more) assert.deepEqual(response.json(), { Code: 1, Description: 'Too many failed logins; try again later' });
      const retryAfterS = Number(more[0]?.headers['retry-after']);
      assert.ok(retryAfterS >= 1 && retryAfterS <= 60, `Retry-After ${retryAfterS}`);
      // A minute later the merchant's cached credential is stale; it still gets in, from its row.
      t.clock.advance(61_000);
      assert.equal((await pay(MERCHANT)).statusCode, 200);
      assert.equal((await status(DEMO_AUTH, GUESSER)).statusCode, 404, 'the guesser\'s window has ended: the right password works again');
    });

    it('SOAP credentials are throttled alike', async () => {
      const envelope = (password: string) =>
        `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetPaymentStatus xmlns="http://directpay.intele.com/v1">` +
        `<ServiceCredentials><Password>${password}</Password><ServiceId>1000</ServiceId><Username>demo</Username></ServiceCredentials>` +
        '<ClientReference>x</ClientReference></GetPaymentStatus></s:Body></s:Envelope>';
      const call = (password: string) =>
        t.app.http.inject({ method: 'POST', url: '/soapV1.svc', remoteAddress: '192.0.2.50', headers: { 'content-type': 'text/xml' }, payload: envelope(password) });
      t.clock.advance(10_000);
      for (let i = 0; i < LOGIN_THROTTLE.perAccountSource; i++) assert.match((await call(`guess-${i}`)).body, /Invalid service credentials/);
      const refused = await call('demo-password');
      assert.equal(refused.statusCode, 500);
      assert.match(refused.body, /<Code>1<\/Code><Description>Too many failed logins; try again later<\/Description>/);
    });
  });
}
