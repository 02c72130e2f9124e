import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, DEMO_AUTH, engines, startTestApp, type TestApp } from '../support/app.js';

/** Strex SendVerificationCode and VerifyVerificationCode over REST, with the sandbox inbox. */
for (const engine of engines()) {
  describe(`Strex REST verification codes [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(engine, 'verification');
      const merchantId = await t.app.merchants.createMerchant('Other merchant');
      await t.app.merchants.createService({ serviceId: 3000, merchantId, platform: 'directpay', name: 'Other', currency: 'NOK' }, 'other', 'other-pw');
      await t.app.merchants.createService(
        { serviceId: 3001, merchantId, platform: 'directpay', name: 'Verified only', currency: 'NOK', requiresVerifiedMsisdn: true },
        'strict',
        'strict-pw',
      );
    });
    after(() => t.close());

    let numberCounter = 0;
    /** A fresh default-profile subscriber per test: limits and inboxes do not mix. */
    const freshMsisdn = () => `+474120${String(++numberCounter).padStart(4, '0')}`;

    const post = async (path: string, body: unknown, auth = DEMO_AUTH, serviceId = 1000) => {
      const response = await t.app.http.inject({
        method: 'POST',
        url: `/RestV1.svc/service/${serviceId}/${path}`,
        headers: { authorization: auth, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      return { status: response.statusCode, body: response.body ? response.json() : '' };
    };
    const send = (msisdn: string, extra: Record<string, unknown> = {}) => post('verificationcode', { Msisdn: msisdn, ...extra });
    const verify = (msisdn: string, code: string, auth = DEMO_AUTH, serviceId = 1000) =>
      post('verificationcode/verify', { Msisdn: msisdn, VerificationCode: code }, auth, serviceId);

    async function inbox(msisdn: string): Promise<{ id: number; from: string; text: string; receivedAt: string }[]> {
      while ((await t.app.outbox.deliverDue()) > 0) {}
      const response = await t.app.http.inject({ method: 'GET', url: `/sandbox/handsets/${encodeURIComponent(msisdn)}/messages` });
      assert.equal(response.statusCode, 200);
      return response.json();
    }
    /** Sends a code and reads it off the handset. */
    async function sendAndRead(msisdn: string, extra: Record<string, unknown> = {}): Promise<string> {
      assert.deepEqual(await send(msisdn, extra), { status: 200, body: '' });
      const text = (await inbox(msisdn)).at(-1)?.text ?? '';
      return /(\d{6})/.exec(text)?.[1] ?? assert.fail(`no code in "${text}"`);
    }
    const wrongCode = (code: string) => (code === '000000' ? '000001' : '000000');
    const NOT_FOUND = { status: 404, body: { Code: 3, Description: 'Invalid verification code' } };

    it('sends a 6-digit PIN by SMS with the default template; the right code verifies once', async () => {
      const msisdn = freshMsisdn();
      const code = await sendAndRead(msisdn);
      const [message] = await inbox(msisdn);
      assert.deepEqual(message && { from: message.from, text: message.text }, { from: 'Strex', text: `Your verification code is ${code}` });
      assert.deepEqual(await verify(msisdn, code), { status: 200, body: '' });
      assert.deepEqual(await verify(msisdn, code), NOT_FOUND, 'single-use');
      const stored = await t.app.db.kysely.selectFrom('verification_codes').select('code_hash').where('msisdn', '=', msisdn).execute();
      assert.ok(stored.every((row) => !row.code_hash.includes(code)), 'stored hashed');
      const queued = await t.app.db.kysely.selectFrom('outbox_events').select('payload').where('topic', '=', 'sms.send').execute();
      assert.ok(queued.length > 0);
      for (const { payload } of queued) {
        const content = typeof payload === 'string' ? JSON.parse(payload) : payload;
        assert.deepEqual(content, { forgotten: true }, 'no PIN stays in the outbox once delivered');
      }
      const verified = await t.app.db.kysely.selectFrom('verified_msisdns').selectAll().where('msisdn', '=', msisdn).execute();
      assert.deepEqual(verified.map((v) => v.verified_until), [null], 'no ExpiryTime: verified forever');
    });

    it('uses the template and records ExpiryTime (ISO 8601 or WCF /Date()/) as the end of the verification', async () => {
      const msisdn = freshMsisdn();
      const code = await sendAndRead(msisdn, { Template: 'Koden din er {0}. Ha en fin dag!', ExpiryTime: '/Date(4102444800000+0100)/' });
      assert.equal((await inbox(msisdn)).at(-1)?.text, `Koden din er ${code}. Ha en fin dag!`);
      assert.equal((await verify(msisdn, code)).status, 200);
      const [row] = await t.app.db.kysely.selectFrom('verified_msisdns').select('verified_until').where('msisdn', '=', msisdn).execute();
      assert.equal(new Date(row?.verified_until ?? 0).toISOString(), '2100-01-01T00:00:00.000Z');
      assert.equal((await send(freshMsisdn(), { ExpiryTime: '2099-12-31T23:00:00+01:00' })).status, 200);
      // DataContractSerializer writes a DateTime of unspecified kind without an offset: read as UTC.
      const unspecified = freshMsisdn();
      assert.equal((await verify(unspecified, await sendAndRead(unspecified, { ExpiryTime: '2099-06-30T12:00:00' }))).status, 200);
      const [kept] = await t.app.db.kysely.selectFrom('verified_msisdns').select('verified_until').where('msisdn', '=', unspecified).execute();
      assert.equal(new Date(kept?.verified_until ?? 0).toISOString(), '2099-06-30T12:00:00.000Z');
    });

    it('a wrong code → code 3; after 5 guesses the code is burnt, even for the right one', async () => {
      const msisdn = freshMsisdn();
      const code = await sendAndRead(msisdn);
      for (let i = 0; i < 5; i++) assert.deepEqual(await verify(msisdn, wrongCode(code)), NOT_FOUND);
      assert.deepEqual(await verify(msisdn, code), NOT_FOUND);
    });

    it('concurrent guesses never exceed 5 attempts', async () => {
      const msisdn = freshMsisdn();
      const code = await sendAndRead(msisdn);
      const guesses = await Promise.all(Array.from({ length: 20 }, () => verify(msisdn, wrongCode(code))));
      for (const guess of guesses) assert.deepEqual(guess, NOT_FOUND);
      const [row] = await t.app.db.kysely.selectFrom('verification_codes').select('attempts').where('msisdn', '=', msisdn).execute();
      assert.equal(row?.attempts, 5);
      assert.deepEqual(await verify(msisdn, code), NOT_FOUND);
    });

    it('an expired code → code 10 (10 minutes)', async () => {
      const msisdn = freshMsisdn();
      const code = await sendAndRead(msisdn);
      t.clock.advance(10 * 60_000 + 1);
      assert.deepEqual(await verify(msisdn, code), { status: 424, body: { Code: 10, Description: 'The verification code has expired' } });
    });

    it('at most 5 sends per MSISDN and service an hour → code 6; the next hour again', async () => {
      const msisdn = freshMsisdn();
      for (let i = 0; i < 5; i++) assert.equal((await send(msisdn)).status, 200);
      assert.deepEqual(await send(msisdn), {
        status: 403,
        body: { Code: 6, Description: 'Too many verification codes sent to this msisdn; try again later' },
      });
      // Another service has its own allowance.
      assert.equal((await post('verificationcode', { Msisdn: msisdn }, basicAuth('other', 'other-pw'), 3000)).status, 200);
      assert.equal((await inbox(msisdn)).length, 6);
      t.clock.advance(60 * 60_000 + 1);
      assert.equal((await send(msisdn)).status, 200);
    });

    it("a code of one service does not verify with another's credentials", async () => {
      const msisdn = freshMsisdn();
      const code = await sendAndRead(msisdn);
      assert.deepEqual(await verify(msisdn, code, basicAuth('other', 'other-pw'), 3000), NOT_FOUND);
      assert.equal((await verify(msisdn, code)).status, 200);
    });

    it('templates without {0} or longer than 3 SMS, bad MSISDNs and bad dates are refused', async () => {
      const msisdn = freshMsisdn();
      const fault = (code: number, description: string) => ({ status: 400, body: { Code: code, Description: description } });
      assert.deepEqual(await send(msisdn, { Template: 'Your code' }), fault(2, 'The template must contain {0}'));
      // 459 GSM characters fit three parts; one more does not.
      assert.equal((await send(msisdn, { Template: `{0}${'a'.repeat(453)}` })).status, 200);
      assert.deepEqual(await send(msisdn, { Template: `{0}${'a'.repeat(454)}` }), fault(2, 'The template is longer than 3 SMS'));
      // Outside GSM-7 a part holds 67 characters: 201 fit three parts.
      assert.deepEqual(await send(msisdn, { Template: `{0}${'ø€😀'.repeat(60)}` }), fault(2, 'The template is longer than 3 SMS'));
      assert.deepEqual(await send('12345'), fault(13, 'Invalid msisdn'));
      assert.deepEqual(await send(msisdn, { ExpiryTime: 'tomorrow' }), fault(2, 'Invalid ExpiryTime'));
      assert.deepEqual(await send(msisdn, { ExpiryTime: '2001-01-01T00:00:00Z' }), fault(2, 'ExpiryTime is in the past'));
      assert.equal((await verify(msisdn, '12ab')).status, 404);
    });

    it('the handset inbox refuses what is not an MSISDN', async () => {
      const response = await t.app.http.inject({ method: 'GET', url: '/sandbox/handsets/abc/messages' });
      assert.equal(response.statusCode, 400);
    });

    it('a service that requires verified MSISDNs charges only numbers it verified, while the verification holds', async () => {
      const strict = basicAuth('strict', 'strict-pw');
      const msisdn = freshMsisdn();
      const payment = (reference: string) => ({
        PaymentDetails: { Msisdn: msisdn, Price: 100, ServiceCode: '10002', ClientReference: reference, SecurityLevel: 1 },
      });
      const NOT_VERIFIED = {
        status: 403,
        body: { Code: 6, Description: 'The msisdn must be verified for this service before it can be charged' },
      };
      const saleCheck = async () => {
        const response = await t.app.http.inject({
          method: 'GET',
          url: `/RestV1.svc/service/3001/msisdn/${encodeURIComponent(msisdn)}/userinfoV2?amount=100&serviceCode=10002`,
          headers: { authorization: strict },
        });
        return { status: response.statusCode, body: response.body ? response.json() : '' };
      };
      const reference = `strict-${msisdn}`;
      assert.deepEqual(await post('pay', payment(reference), strict, 3001), NOT_VERIFIED);
      assert.deepEqual(await saleCheck(), NOT_VERIFIED, 'userinfoV2 tells before a Pay would fail');
      // Verified for another service does not count here.
      const code = await sendAndRead(msisdn, { ExpiryTime: new Date(t.clock.now().getTime() + 3_600_000).toISOString() });
      assert.deepEqual(await post('pay', payment(reference), strict, 3001), NOT_VERIFIED);
      assert.equal((await verify(msisdn, code)).status, 200, 'verified for the demo service 1000 only');
      assert.deepEqual(await post('pay', payment(reference), strict, 3001), NOT_VERIFIED);

      const strictCode = await (async () => {
        assert.deepEqual(await post('verificationcode', { Msisdn: msisdn, ExpiryTime: new Date(t.clock.now().getTime() + 3_600_000).toISOString() }, strict, 3001), {
          status: 200,
          body: '',
        });
        const text = (await inbox(msisdn)).at(-1)?.text ?? '';
        return /(\d{6})/.exec(text)?.[1] ?? assert.fail(`no code in "${text}"`);
      })();
      assert.deepEqual(await verify(msisdn, strictCode, strict, 3001), { status: 200, body: '' });
      assert.deepEqual(await saleCheck(), { status: 200, body: '' });
      const paid = await post('pay', payment(reference), strict, 3001);
      assert.equal(paid.status, 200, 'the refused attempts did not use up the ClientReference');
      assert.equal(paid.body.ClientReference, reference);

      t.clock.advance(3_600_000 + 1);
      assert.deepEqual(await post('pay', payment(`${reference}-later`), strict, 3001), NOT_VERIFIED, 'the verification ended at its ExpiryTime');
      assert.deepEqual(await post('pay', payment(reference), strict, 3001), paid, 'a retry of the charge that went through still answers with it');
    });
  });
}
