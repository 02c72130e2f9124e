import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { engines, startTestApp, type TestApp } from '../support/app.js';
import type { Msisdn } from '../../src/kernel/msisdn.js';
import { type Binding, BINDINGS, callMethod, expected, IM_BASE, memberOf, PARTNER, PARTNER2, TEST_MX_KEYS, TEST_SEALER } from '../support/infomedia.js';

const SA = '+27825551234';

/** The Infomedia facade's skeleton: paths, auth, faults, DecryptMX and AliasLookUp in all four bindings. */
for (const engine of engines()) {
  describe(`Infomedia facade, auth, MX [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(engine, 'infomedia_facade', { infomediaMxKeys: TEST_MX_KEYS });
    });
    after(() => t.close());

    const decrypted = (binding: Binding, members: Record<string, unknown>) =>
      expected(binding, 'DecryptMX', 'DecryptedMX', 'MobilePaymentsLibrary.DecryptMX', members);
    const alias = (binding: Binding, members: Record<string, unknown>) =>
      expected(binding, 'AliasLookUp', 'AliasLookup', 'MobilePaymentsLibrary.AliasLookUp', members);

    /** An MX sealed as the app seals it: the test gives the app its keys. */
    async function mxFor(msisdn: string, credentials: typeof PARTNER | typeof PARTNER2 = PARTNER): Promise<string> {
      return TEST_SEALER.seal(await partnerEndpointId(credentials.U), msisdn as Msisdn);
    }
    async function partnerEndpointId(username: string): Promise<number> {
      const row = await t.app.db.kysely.selectFrom('credentials').select('endpoint_id').where('identifier', '=', username).where('kind', '=', 'password').executeTakeFirstOrThrow();
      return Number(row.endpoint_id);
    }

    for (const binding of BINDINGS) {
      it(`DecryptMX over ${binding}: an MX of the partner gives its MSISDN without +`, async () => {
        const mx = await mxFor(SA);
        const answer = await callMethod(t, binding, 'DecryptMX', { MX: mx, ...PARTNER });
        assert.deepEqual(answer, decrypted(binding, { Status: 'Success', Description: '00 - Everything was ok', MSISDN: '27825551234' }));
      });

      it(`DecryptMX over ${binding}: tampered, foreign, plain or missing MX is 00 - Invalid MX`, async () => {
        const mx = await mxFor(SA);
        const flipped = `${mx.slice(0, 20)}${mx[20] === 'A' ? 'B' : 'A'}${mx.slice(21)}`;
        const foreign = await mxFor(SA, PARTNER2);
        const invalid = decrypted(binding, { Status: 'Error', Description: '00 - Invalid MX', MSISDN: null });
        for (const MX of [flipped, foreign, '27825551234', '', 'x'.repeat(201)]) {
          assert.deepEqual(await callMethod(t, binding, 'DecryptMX', { MX, ...PARTNER }), invalid, `MX ${MX.slice(0, 30)}`);
        }
        assert.deepEqual(await callMethod(t, binding, 'DecryptMX', { ...PARTNER }), invalid, 'no MX at all');
      });

      it(`DecryptMX over ${binding}: wrong or missing login is 01 - Invalid login (lower-case l), a NUL is 01 too`, async () => {
        const refused = decrypted(binding, { Status: 'Error', Description: '01 - Invalid login', MSISDN: null });
        assert.deepEqual(await callMethod(t, binding, 'DecryptMX', { MX: 'abc', U: 'demo', P: 'wrong' }), refused);
        assert.deepEqual(await callMethod(t, binding, 'DecryptMX', { MX: 'abc', U: 'nobody', P: 'demo-password' }), refused);
        assert.deepEqual(await callMethod(t, binding, 'DecryptMX', { MX: 'abc' }), refused);
        if (binding !== 'soap') assert.deepEqual(await callMethod(t, binding, 'DecryptMX', { MX: 'abc', U: 'demo\u0000', P: 'x' }), refused);
      });

      it(`AliasLookUp over ${binding}: the subscriber's own network answers a stable alias, another network 31`, async () => {
        const first = await callMethod(t, binding, 'AliasLookUp', { MX: '27825551234', MCC: '655', MNC: '01', ...PARTNER });
        const carrierAlias = memberOf(binding, first, 'CarrierAlias');
        assert.match(carrierAlias ?? '', /^[A-Z2-7]{20}$/);
        assert.deepEqual(first, alias(binding, { Status: 'Success', Description: '00 - Everything was ok', CarrierAlias: carrierAlias }));
        const again = await callMethod(t, binding, 'AliasLookUp', { MX: await mxFor(SA), MCC: '655', MNC: '1', ...PARTNER });
        assert.deepEqual(again, first, 'the same alias for the MX of the number, MNC 1 read as 01');
        const other = await callMethod(t, binding, 'AliasLookUp', { MX: '27825551234', MCC: '655', MNC: '10', ...PARTNER });
        assert.deepEqual(other, alias(binding, { Status: 'Error', Description: '31 - No Alias found for this MSISDN', CarrierAlias: null }));
        assert.deepEqual(
          await callMethod(t, binding, 'AliasLookUp', { MX: '27825551234', MCC: '65', MNC: '01', ...PARTNER }),
          alias(binding, { Status: 'Error', Description: '08 - Invalid MCC', CarrierAlias: null }),
        );
        assert.deepEqual(
          await callMethod(t, binding, 'AliasLookUp', { MX: '27825551234', MCC: '655', ...PARTNER }),
          alias(binding, { Status: 'Error', Description: '07 - Invalid MNC', CarrierAlias: null }),
        );
        assert.deepEqual(
          await callMethod(t, binding, 'AliasLookUp', { MX: '27825551234', MCC: '655', MNC: '01', U: 'demo', P: 'nope' }),
          alias(binding, { Status: 'Error', Description: '01 - Invalid Login', CarrierAlias: null }),
        );
      });
    }

    it('a source outside every allow-list is 06 - Unauthorised IP, whichever username it names; inside another partner\'s list, 01', async () => {
      const restrict = (username: string, cidrs: string[]) =>
        t.app.db.kysely.updateTable('credentials').set({ allowed_cidrs: cidrs }).where('identifier', '=', username).where('kind', '=', 'password').execute();
      await restrict('demo2', ['198.51.100.0/24']);
      await restrict('demo', ['203.0.113.0/24']);
      try {
        const mx = await mxFor(SA, PARTNER2);
        for (const binding of BINDINGS) {
          const outside = decrypted(binding, { Status: 'Error', Description: '06 - Unauthorised IP', MSISDN: null });
          assert.deepEqual(await callMethod(t, binding, 'DecryptMX', { MX: mx, ...PARTNER2 }, '192.0.2.10'), outside);
          assert.deepEqual(await callMethod(t, binding, 'DecryptMX', { MX: mx, U: 'demo2', P: 'wrong' }, '192.0.2.10'), outside);
          // An unknown username is answered as a known one: 06 does not tell which usernames exist.
          assert.deepEqual(await callMethod(t, binding, 'DecryptMX', { MX: mx, U: 'nobody', P: 'demo-password' }, '192.0.2.10'), outside);
          const refused = decrypted(binding, { Status: 'Error', Description: '01 - Invalid login', MSISDN: null });
          assert.deepEqual(await callMethod(t, binding, 'DecryptMX', { MX: mx, ...PARTNER2 }, '203.0.113.5'), refused, 'in demo\'s list, demo2 is unknown');
          assert.deepEqual(await callMethod(t, binding, 'DecryptMX', { MX: mx, U: 'nobody', P: 'demo-password' }, '203.0.113.5'), refused);
          const allowed = await callMethod(t, binding, 'DecryptMX', { MX: mx, ...PARTNER2 }, '198.51.100.7');
          assert.deepEqual(allowed, decrypted(binding, { Status: 'Success', Description: '00 - Everything was ok', MSISDN: '27825551234' }));
        }
      } finally {
        await restrict('demo', ['0.0.0.0/0', '::/0']);
        await restrict('demo2', ['0.0.0.0/0', '::/0']);
      }
    });

    it('hostile input per binding: a NUL, an over-long value, a parameter given twice, are each the parameter’s code or the request’s refusal', async () => {
      const invalidMx = (binding: Binding) => decrypted(binding, { Status: 'Error', Description: '00 - Invalid MX', MSISDN: null });
      for (const binding of ['get', 'post', 'json'] as const) {
        assert.deepEqual(await callMethod(t, binding, 'DecryptMX', { MX: 'ab\u0000cd', ...PARTNER }), invalidMx(binding), `${binding}: NUL`);
        assert.deepEqual(await callMethod(t, binding, 'DecryptMX', { MX: 'a'.repeat(10_000), ...PARTNER }), invalidMx(binding), `${binding}: over-long`);
      }
      const twice = await t.app.http.inject({ method: 'GET', url: `${IM_BASE}/DecryptMX?MX=a&mx=b&U=demo&P=demo-password` });
      assert.deepEqual({ status: twice.statusCode, type: String(twice.headers['content-type']), body: twice.body }, invalidMx('get'), 'MX and mx: given twice');
      // XML has no NUL, not even as a character reference: the envelope cannot be read.
      const soap = await t.app.http.inject({
        method: 'POST',
        url: IM_BASE,
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        payload: '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><DecryptMX xmlns="http://localhost/InAppbillingAPI/InAppBilling"><MX>a&#0;b</MX><U>demo</U><P>demo-password</P></DecryptMX></soap:Body></soap:Envelope>',
      });
      assert.equal(soap.statusCode, 500);
      assert.match(soap.body, /<faultcode>soap:Client<\/faultcode>/);
      assert.deepEqual(await callMethod(t, 'soap', 'DecryptMX', { MX: 'a'.repeat(300), ...PARTNER }), invalidMx('soap'), 'soap: over-long');
      const big = await t.app.http.inject({ method: 'POST', url: `${IM_BASE}/DecryptMX`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ MX: 'a'.repeat(20_000), ...PARTNER }) });
      assert.equal(big.statusCode, 413, 'a body over the limit keeps its HTTP status');
    });

    it('paths and method names match case-insensitively, parameter names too', async () => {
      const mx = await mxFor(SA);
      const answer = await t.app.http.inject({ method: 'GET', url: `/v/1/6/default.asmx/decryptmx?mx=${encodeURIComponent(mx)}&u=demo&p=demo-password` });
      assert.equal(answer.statusCode, 200);
      assert.equal(memberOf('get', { status: 200, type: '', body: answer.body }, 'MSISDN'), '27825551234');
    });

    it('an unknown method is 404; invalid JSON is 400; a malformed SOAP request is a SOAP 1.1 Fault with HTTP 500', async () => {
      assert.equal((await t.app.http.inject({ method: 'GET', url: `${IM_BASE}/NoSuchMethod?U=demo&P=demo-password` })).statusCode, 404);
      const json = await t.app.http.inject({ method: 'POST', url: `${IM_BASE}/DecryptMX`, headers: { 'content-type': 'application/json' }, payload: '{"MX":' });
      assert.equal(json.statusCode, 400);
      assert.equal(json.body, '{"d":{"__type":"Error","Status":"Error","Description":"Invalid request: the body cannot be read"}}');
      for (const payload of ['<soap:Envelope', '<?xml version="1.0"?><a/>', '']) {
        const soap = await t.app.http.inject({ method: 'POST', url: IM_BASE, headers: { 'content-type': 'text/xml; charset=utf-8' }, payload });
        assert.equal(soap.statusCode, 500, payload);
        assert.match(soap.body, /^<\?xml version="1.0" encoding="utf-8"\?><soap:Envelope [^>]*><soap:Body><soap:Fault><faultcode>soap:Client<\/faultcode><faultstring>Server was unable to read request[^<]*<\/faultstring><detail><\/detail><\/soap:Fault><\/soap:Body><\/soap:Envelope>$/);
      }
    });

    it('the WSDL at ?wsdl declares the methods with their SOAPActions', async () => {
      const wsdl = await t.app.http.inject({ method: 'GET', url: `${IM_BASE}?wsdl` });
      assert.equal(wsdl.statusCode, 200);
      for (const method of ['DecryptMX', 'AliasLookUp']) {
        assert.ok(wsdl.body.includes(`<soap:operation soapAction="http://localhost/InAppbillingAPI/InAppBilling/${method}" style="document"/>`), method);
      }
      assert.ok(wsdl.body.includes('<s:complexType name="DecryptedMX"><s:sequence><s:element minOccurs="0" maxOccurs="1" name="Status" type="s:string"/>'));
    });
  });
}
