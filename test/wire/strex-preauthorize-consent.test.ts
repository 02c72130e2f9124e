import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseMsisdn } from '../../src/kernel/msisdn.js';
import { DEMO_AUTH, engines, startTestApp, type TestApp, uniqueReference } from '../support/app.js';
import { StrexClient } from '../support/strex.js';

interface Listed {
  id: number;
  serviceId: number;
  service: string;
  description: string | null;
  consent: string;
  issuedAt: string;
  revokedAt: string | null;
}

/**
 * PreAuthorize with SecurityLevel 1 (the merchant asserts the consent), and the
 * subscriber's side of every token: listed on the handset, revocable there.
 */
for (const engine of engines()) {
  describe(`Strex PreAuthorize consent modes and the subscriber's standing consents [${engine}]`, () => {
    let t: TestApp;
    let strex: StrexClient;
    before(async () => {
      t = await startTestApp(engine, 'preauthorize_consent', { confirmationTimeoutMs: 3_000 });
      strex = new StrexClient(t.app);
    });
    after(() => t.close());

    const preauthorize = async (body: Record<string, unknown>) => {
      const response = await t.app.http.inject({
        method: 'POST',
        url: '/RestV1.svc/service/1000/preauthorize/0',
        headers: { authorization: DEMO_AUTH, 'content-type': 'application/json' },
        payload: JSON.stringify({ TransactionId: 'consent-test', ...body }),
      });
      return { status: response.statusCode, body: response.json() };
    };
    const listed = async (msisdn: string): Promise<Listed[]> =>
      (await t.app.http.inject({ method: 'GET', url: `/sandbox/handsets/${encodeURIComponent(msisdn)}/authorizations` })).json();
    const prompts = async (msisdn: string): Promise<unknown[]> =>
      (await t.app.http.inject({ method: 'GET', url: `/sandbox/handsets/${encodeURIComponent(msisdn)}/prompts` })).json();
    const payWithToken = (msisdn: string, token: string) =>
      strex.pay({ Msisdn: msisdn, Price: 1000, ServiceCode: '10002', ClientReference: uniqueReference('consent'), AuthorizationToken: token });

    it('SecurityLevel 1 sends no prompt and records that the merchant asserted the consent; the token pays', async () => {
      // …14 answers only from the handset page: a prompt would hold this call until it times out.
      const msisdn = '+4790000014';
      const granted = await preauthorize({ Msisdn: msisdn, SecurityLevel: 1, TokenDescription: 'Newspaper' });
      assert.equal(granted.status, 200, JSON.stringify(granted.body));
      assert.deepEqual(await prompts(msisdn), [], 'nobody is being asked');
      const asked = await t.app.db.kysely.selectFrom('confirmation_requests').select('id').where('msisdn', '=', msisdn).execute();
      assert.deepEqual(asked, [], 'nobody was ever asked');
      const [token] = await listed(msisdn);
      assert.ok(token);
      assert.deepEqual({ ...token, id: 0, issuedAt: '' }, {
        id: 0,
        serviceId: 1000,
        service: 'Demo Direct Payment',
        description: 'Newspaper',
        consent: 'merchant_asserted',
        issuedAt: '',
        revokedAt: null,
      });
      assert.ok(Math.abs(Date.parse(token.issuedAt) - Date.now()) < 60_000);
      assert.equal((await payWithToken(msisdn, granted.body.Token)).status, 200);
    });

    it('SecurityLevel 2, and no SecurityLevel, still ask; the token records the prompted consent', async () => {
      const msisdn = '+4790000084';
      assert.equal((await preauthorize({ Msisdn: msisdn, SecurityLevel: 2, TokenDescription: 'Parking' })).status, 200);
      assert.equal((await preauthorize({ Msisdn: msisdn })).status, 200);
      assert.deepEqual((await listed(msisdn)).map((c) => [c.consent, c.description]), [['prompted', 'Parking'], ['prompted', null]]);
      // A subscriber who declines gets no token, whatever the merchant wanted to assert before.
      assert.equal((await preauthorize({ Msisdn: '+4790000012', SecurityLevel: 2 })).body.Code, 6);
    });

    it('SecurityLevel 1 keeps the subscriber checks: unknown, not eligible, barred, underage, foreign currency', async () => {
      const cases: [string, Record<string, unknown>, number][] = [
        ['+4790000001', {}, 12],
        ['+4790000002', {}, 12],
        ['+4790000003', {}, 7],
        ['+4790000007', { Age: '18' }, 12],
        ['+447700900000', {}, 12],
      ];
      for (const [msisdn, extra, code] of cases) {
        const refused = await preauthorize({ Msisdn: msisdn, SecurityLevel: 1, ...extra });
        assert.equal(refused.body.Code, code, `${msisdn}: ${JSON.stringify(refused.body)}`);
        assert.deepEqual(await listed(msisdn), [], `${msisdn} got no token`);
      }
    });

    it('SecurityLevel 3 (Pin) is still refused with code 2', async () => {
      assert.deepEqual(await preauthorize({ Msisdn: '+4790000000', SecurityLevel: 3 }), {
        status: 400,
        body: { Code: 2, Description: 'SecurityLevel 3 (Pin) is not supported' },
      });
    });

    it('the subscriber revokes a token on the handset page (a CSRF-checked form); Pay with it then gets code 6', async () => {
      const msisdn = '+4790000085';
      const { body } = await preauthorize({ Msisdn: msisdn, SecurityLevel: 1, TokenDescription: 'Gym' });
      const [token] = await listed(msisdn);
      assert.ok(token);
      const pageUrl = `/sandbox/handsets/${encodeURIComponent(msisdn)}`;
      const page = await t.app.http.inject({ method: 'GET', url: pageUrl });
      const cookie = String(page.headers['set-cookie']).split(';')[0] ?? '';
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      assert.match(page.body, new RegExp(`<li class="consent" id="consent-${token.id}">`));
      assert.match(page.body, /Gym/);
      assert.match(page.body, /Consent: the merchant says you agreed; you were not asked here\./);
      const revoke = (fields: string, withCookie = true) =>
        t.app.http.inject({
          method: 'POST',
          url: `${pageUrl}/revoke`,
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...(withCookie ? { cookie } : {}) },
          payload: fields,
        });
      assert.equal((await revoke(`authorization=${token.id}&csrf=guess`)).statusCode, 403);
      assert.equal((await revoke(`authorization=${token.id}&csrf=${csrf}`, false)).statusCode, 403);
      assert.equal((await payWithToken(msisdn, body.Token)).status, 200, 'a refused form revokes nothing');

      const revoked = await revoke(`authorization=${token.id}&csrf=${csrf}`);
      assert.equal(revoked.statusCode, 303);
      assert.equal(revoked.headers.location, `${pageUrl}?revoked=${token.id}`);
      const after = await t.app.http.inject({ method: 'GET', url: String(revoked.headers.location), headers: { cookie } });
      assert.match(after.body, /You revoked the standing consent for Demo Direct Payment/);
      assert.doesNotMatch(after.body, /id="consent-/, 'no longer listed as standing');
      assert.ok((await listed(msisdn))[0]?.revokedAt, 'the JSON list says when it was revoked');
      assert.deepEqual((await payWithToken(msisdn, body.Token)).body, {
        Code: 6,
        Description: 'The authorization token is not valid for this msisdn and service',
      });
    });

    it('a subscriber can only revoke their own token: the id is scoped by the MSISDN', async () => {
      const owner = '+4790000086';
      const { body } = await preauthorize({ Msisdn: owner, SecurityLevel: 1 });
      const [token] = await listed(owner);
      assert.ok(token);
      const remove = (msisdn: string) =>
        t.app.http.inject({ method: 'DELETE', url: `/sandbox/handsets/${encodeURIComponent(msisdn)}/authorizations/${token.id}` });
      assert.equal((await remove('+4790000087')).statusCode, 404);
      assert.equal(await t.app.preauthorization.revokeFor(parseMsisdn('+4790000087')!, token.id), false);
      assert.equal((await payWithToken(owner, body.Token)).status, 200, 'still valid');
      assert.deepEqual((await remove(owner)).json(), { status: 'revoked' });
      assert.equal((await remove(owner)).statusCode, 404, 'once');
      assert.equal(((await payWithToken(owner, body.Token)).body as { Code: number }).Code, 6);
    });
  });
}
