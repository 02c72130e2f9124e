import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../src/core/merchants/types.js';
import { basicAuth, DEMO_AUTH, engines, startTestApp, type TestApp, uniqueReference } from '../support/app.js';
import { StrexClient } from '../support/strex.js';

const DEMO_SERVICE: ServiceContext = { serviceId: 1000, merchantId: 1, platform: 'directpay', currency: 'NOK', requiresVerifiedMsisdn: false };

/** Strex PreAuthorize and Pay with the token it gives. */
for (const engine of engines()) {
  describe(`Strex REST PreAuthorize [${engine}]`, () => {
    let t: TestApp;
    let strex: StrexClient;
    before(async () => {
      t = await startTestApp(engine, 'preauthorize', { confirmationTimeoutMs: 3_000 });
      strex = new StrexClient(t.app);
      const merchantId = await t.app.merchants.createMerchant('Other merchant');
      await t.app.merchants.createService({ serviceId: 3000, merchantId, platform: 'directpay', name: 'Other', currency: 'NOK' }, 'other', 'other-pw');
    });
    after(() => t.close());

    const preauthorize = async (path: string, body: Record<string, unknown>, auth = DEMO_AUTH) => {
      const response = await t.app.http.inject({
        method: 'POST',
        url: `/RestV1.svc/service/${path}`,
        headers: { authorization: auth, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      return { status: response.statusCode, body: response.json() };
    };
    const payWithToken = (msisdn: string, token: string, options = {}) =>
      strex.pay({ Msisdn: msisdn, Price: 1000, ServiceCode: '10002', ClientReference: uniqueReference('pre'), SecurityLevel: 2, AuthorizationToken: token }, options);

    it('a consenting subscriber gives a token; Pay with it charges at once, without asking', async () => {
      const granted = await preauthorize('1000/preauthorize/directpay', { Msisdn: '+4790000080', TransactionId: 'shop-42', TokenDescription: 'Parking' });
      assert.equal(granted.status, 200);
      assert.deepEqual(Object.keys(granted.body), ['ExternalTransactionReference', 'Token', 'TransactionId']);
      assert.equal(granted.body.TransactionId, 'shop-42');
      assert.match(granted.body.ExternalTransactionReference, /^[0-9a-f-]{36}$/);
      assert.match(granted.body.Token, /^[A-Za-z0-9_-]{43}$/);
      const started = Date.now();
      const paid = await payWithToken('+4790000080', granted.body.Token);
      assert.equal(paid.status, 200, paid.text);
      assert.ok(Date.now() - started < 500, 'no confirmation wait');
      const stored = await t.app.db.kysely.selectFrom('authorization_tokens').select('token_hash').execute();
      assert.ok(stored.every((row) => row.token_hash !== granted.body.Token), 'only a hash is stored');
    });

    it('a token is refused for another MSISDN, another service, and once revoked', async () => {
      const { body } = await preauthorize('1000/preauthorize/0', { Msisdn: '+4790000081', TransactionId: 'a' });
      const refused = { Code: 6, Description: 'The authorization token is not valid for this msisdn and service' };
      assert.deepEqual((await payWithToken('+4790000082', body.Token)).body, refused);
      assert.deepEqual((await payWithToken('+4790000081', body.Token, { serviceId: 3000, auth: basicAuth('other', 'other-pw') })).body, refused);
      assert.deepEqual((await payWithToken('+4790000081', 'made-up-token')).body, refused);
      const paid = { Msisdn: '+4790000081', Price: 1000, ServiceCode: '10002', ClientReference: uniqueReference('pre'), SecurityLevel: 2, AuthorizationToken: body.Token };
      const first = await strex.pay(paid);
      assert.equal(first.status, 200);
      assert.equal(await t.app.preauthorization.revoke(DEMO_SERVICE, body.Token), true);
      assert.deepEqual((await payWithToken('+4790000081', body.Token)).body, refused);
      // A retry of the request that went through still answers with its first result (§17).
      assert.deepEqual(await strex.pay(paid).then((r) => [r.status, r.body]), [200, first.body]);
      assert.equal(await t.app.preauthorization.revoke(DEMO_SERVICE, body.Token), false);
    });

    it('the SMS platform authorises through platform 1 with its own service', async () => {
      const granted = await preauthorize('2000/preauthorize/1', { Msisdn: '+4790000083', TransactionId: 'sms-1', Platform: 'sms' });
      assert.equal(granted.status, 200);
      assert.deepEqual((await preauthorize('1000/preauthorize/1', { Msisdn: '+4790000083', TransactionId: 'x' })).body, {
        Code: 1,
        Description: 'Invalid service credentials',
      });
    });

    it('declined → code 6, unanswered → code 10, underage → code 12; no token either way', async () => {
      assert.deepEqual(await preauthorize('1000/preauthorize/0', { Msisdn: '+4790000012', TransactionId: 'x' }), {
        status: 403,
        body: { Code: 6, Description: 'The subscriber declined the pre-authorisation' },
      });
      assert.deepEqual(await preauthorize('1000/preauthorize/0', { Msisdn: '+4790000013', TransactionId: 'x' }), {
        status: 424,
        body: { Code: 10, Description: 'The subscriber did not answer the pre-authorisation in time' },
      });
      for (const age of ['18', '21']) {
        // Any minimum age (a string, as the vendor types it); the subscriber of 07 is 17.
        assert.deepEqual(await preauthorize('1000/preauthorize/0', { Msisdn: '+4790000007', TransactionId: 'x', Age: age }), {
          status: 424,
          body: { Code: 12, Description: `The subscriber is below the required age ${age}` },
        });
      }
      const tokens = await t.app.db.kysely.selectFrom('authorization_tokens').select('msisdn').where('msisdn', 'in', ['+4790000012', '+4790000013', '+4790000007']).execute();
      assert.deepEqual(tokens, []);
    });

    it('the consent prompt carries the merchant prefix, suffix, description and short number', async () => {
      const msisdn = '+4790000014';
      const pending = preauthorize('1000/preauthorize/0', {
        Msisdn: msisdn,
        TransactionId: 'y',
        ConfirmationChannel: 2,
        ShortNumber: '1960',
        MessagePrefix: 'ParkCo:',
        MessageSuffix: 'Thanks!',
        TokenDescription: 'Parking',
      });
      let prompt: { id: number; channel: string; from: string | null; text: string } | undefined;
      for (let i = 0; i < 50 && !prompt; i++) {
        [prompt] = (await t.app.http.inject({ method: 'GET', url: `/sandbox/handsets/${msisdn}/prompts` })).json();
        if (!prompt) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(prompt);
      assert.equal(prompt.channel, 'sms');
      assert.match(prompt.from ?? '', /^1960\d{10}$/, 'the short number plus a 10-digit suffix');
      assert.match(prompt.text, /^ParkCo: .* \(Parking\) Thanks!$/);
      await t.app.http.inject({ method: 'POST', url: `/sandbox/handsets/${msisdn}/prompts/${prompt.id}/confirm`, headers: { 'content-type': 'application/json' }, payload: '{}' });
      assert.equal((await pending).status, 200);
    });

    it('bad platform, contradicting Platform, bad age and bad MSISDN are validation faults', async () => {
      const cases: [string, Record<string, unknown>, number, string][] = [
        ['1000/preauthorize/2', { Msisdn: '+4790000000', TransactionId: 'x' }, 2, 'Invalid platform: use 0 (directpay) or 1 (sms)'],
        ['1000/preauthorize/0', { Msisdn: '+4790000000', TransactionId: 'x', Platform: 1 }, 2, 'Platform in the body contradicts the path'],
        ['1000/preauthorize/0', { Msisdn: '+4790000000', TransactionId: 'x', Age: '151' }, 2, 'Invalid age'],
        ['1000/preauthorize/0', { Msisdn: '+4790000000', TransactionId: 'x', Age: '1.5' }, 2, 'Invalid age'],
        ['1000/preauthorize/0', { Msisdn: '123', TransactionId: 'x' }, 13, 'Invalid msisdn'],
        ['1000/preauthorize/0', { Msisdn: '+4790000000', TransactionId: 'x', SecurityLevel: 3 }, 2, 'SecurityLevel 3 (Pin) is not supported'],
        ['1000/preauthorize/0', { Msisdn: '+4790000000', TransactionId: 'x', ShortNumber: '12345' }, 2, 'Invalid request: body/ShortNumber must match pattern "^[0-9]{4}$"'],
      ];
      for (const [path, body, code, description] of cases) {
        assert.deepEqual((await preauthorize(path, body)).body, { Code: code, Description: description }, path);
      }
    });
  });
}
