import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, engines, startTestApp, type TestApp, uniqueReference } from '../support/app.js';
import { StrexClient, type WireResponse } from '../support/strex.js';

const TYPES = 'http://directpay.intele.com/v1/types';
const FAULTS = 'http://directpay.intele.com/v1/faults';

/** Validation, authentication, routing and formats of the Strex REST facade. */
for (const engine of engines()) {
  describe(`Strex REST validation, auth and formats [${engine}]`, () => {
    let t: TestApp;
    let strex: StrexClient;
    before(async () => {
      t = await startTestApp(engine, 'validation');
      strex = new StrexClient(t.app);
    });
    after(() => t.close());

    const details = (extra: Record<string, unknown> = {}) => ({
      Msisdn: '+4790000000',
      Price: 1000,
      ServiceCode: '10002',
      ClientReference: uniqueReference('val'),
      ...extra,
    });

    function assertFault(response: WireResponse, httpStatus: number, code: number, description?: string | RegExp) {
      assert.equal(response.status, httpStatus, response.text);
      assert.match(response.contentType, /^application\/json; charset=utf-8/);
      const body = response.body as { Code: number; Description: string };
      assert.deepEqual(Object.keys(body), ['Code', 'Description']);
      assert.equal(body.Code, code);
      if (typeof description === 'string') assert.equal(body.Description, description);
      else if (description) assert.match(body.Description, description);
    }

    describe('PaymentDetails', () => {
      it('invalid msisdn → code 13', async () => {
        for (const msisdn of ['12345', '+4722000000', 'not-a-number', '+47']) {
          assertFault(await strex.pay(details({ Msisdn: msisdn })), 400, 13, 'Invalid msisdn');
        }
      });

      it('Age other than 16 or 18 → "Invalid age"', async () => {
        assertFault(await strex.pay(details({ Age: 17 })), 400, 2, 'Invalid age');
        assertFault(await strex.pay(details({ Age: 0 })), 400, 2, 'Invalid age');
      });

      it('price outside the service code range → code 2 naming the range', async () => {
        assertFault(await strex.pay(details({ Price: 99 })), 400, 2, 'Price 99 is below the minimum 100 for service code 10002');
        assertFault(await strex.pay(details({ Price: 50_001 })), 400, 2, 'Price 50001 is above the maximum 50000 for service code 10002');
        assertFault(
          await strex.pay(details({ ServiceCode: '08002', Price: 20_000 })),
          400,
          2,
          'Price 20000 is below the minimum 20100 for service code 08002',
        );
        assertFault(await strex.pay(details({ Price: 0 })), 400, 2, /Price/);
        assertFault(await strex.pay(details({ Price: -5 })), 400, 2, /Price/);
      });

      it('unknown or malformed service code → code 2', async () => {
        assertFault(await strex.pay(details({ ServiceCode: '99999' })), 400, 2, 'Unknown service code 99999');
        assertFault(await strex.pay(details({ ServiceCode: 'abc' })), 400, 2, 'Invalid service code abc');
      });

      it('business model: its range applies; an unknown one → code 2', async () => {
        assertFault(await strex.pay(details({ BusinessModel: 'LOTTERY' })), 400, 2, 'Unknown business model LOTTERY');
        const ok = await strex.pay(details({ BusinessModel: 'DONATION', ServiceCode: '14003', Price: 5000 }));
        assert.equal(ok.status, 200, ok.text);
      });

      it('field lengths are bounded', async () => {
        assertFault(await strex.pay(details({ ClientReference: 'x'.repeat(101) })), 400, 2, /ClientReference/);
        assertFault(await strex.pay(details({ ClientReference: '' })), 400, 2, /ClientReference/);
        assertFault(await strex.pay(details({ EndUserInvoiceText: 'x'.repeat(201) })), 400, 2, /EndUserInvoiceText/);
        assertFault(await strex.pay(details({ Msisdn: '+47'.padEnd(40, '9') })), 400, 2, /Msisdn/);
      });

      it('missing required fields and a missing wrapper → code 2', async () => {
        const { Price: _price, ...withoutPrice } = details();
        assertFault(await strex.pay(withoutPrice), 400, 2, /Price/);
        const bare = await strex.raw('POST', '', JSON.stringify(details()), { 'content-type': 'application/json' });
        assertFault(bare, 400, 2, /PaymentDetails/);
      });

      it('SecurityLevel 3 (Pin, "not in use" at the vendor) is refused clearly; an unknown token is forbidden', async () => {
        assertFault(await strex.pay(details({ SecurityLevel: 3 })), 400, 2, 'SecurityLevel 3 (Pin) is not supported');
        assertFault(
          await strex.pay(details({ AuthorizationToken: 'tok' })),
          403,
          6,
          'The authorization token is not valid for this msisdn and service',
        );
      });

      it('unknown members (the .NET client sends Attempt and UssdAuthorization) are ignored', async () => {
        const request = details({ Attempt: 1, UssdAuthorization: 1, SecurityLevel: 1, TeletorgSettings: { Bnumber: '820' } });
        const response = await strex.pay(request);
        assert.equal(response.status, 200, response.text);
        assert.equal((response.body as { ClientReference: string }).ClientReference, request.ClientReference);
      });
    });

    describe('malformed bodies never reach a 500', () => {
      const json = { 'content-type': 'application/json' };
      it('broken JSON, wrong types, empty body → code 2', async () => {
        assertFault(await strex.raw('POST', '', '{"PaymentDetails":', json), 400, 2, /^Invalid request/);
        assertFault(await strex.raw('POST', '', '', json), 400, 2, /^Invalid request/);
        assertFault(await strex.raw('POST', '', '[]', json), 400, 2, /^Invalid request/);
        assertFault(await strex.raw('POST', '', '{"PaymentDetails":"x"}', json), 400, 2, /^Invalid request/);
        assertFault(await strex.pay(details({ Price: 'ten' })), 400, 2, /Price/);
      });

      it('a body over 64 KiB → code 2', async () => {
        const huge = JSON.stringify({ PaymentDetails: details({ Padding: 'x'.repeat(70_000) }) });
        assertFault(await strex.raw('POST', '', huge, json), 400, 2, /^Invalid request/);
      });

      it('an unsupported content type → code 2', async () => {
        assertFault(await strex.raw('POST', '', 'Msisdn=1', { 'content-type': 'text/plain' }), 400, 2, /^Invalid request/);
      });

      it('XML with a DTD or entities is refused fast (XXE, billion laughs)', async () => {
        const xml = { 'content-type': 'application/xml', accept: 'application/xml' };
        const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><PaymentRequest><PaymentDetails><Msisdn>&lol2;</Msisdn></PaymentDetails></PaymentRequest>`;
        const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><PaymentRequest><PaymentDetails><Msisdn>&x;</Msisdn></PaymentDetails></PaymentRequest>`;
        for (const body of [laughs, xxe, '<PaymentRequest><PaymentDetails>', 'not xml at all']) {
          const started = performance.now();
          const response = await strex.raw('POST', '', body, xml);
          // An expansion would take seconds and gigabytes; a refusal takes ~1 ms (the bound allows a loaded machine).
          assert.ok(performance.now() - started < 1_000, 'answered within a second');
          assert.equal(response.status, 400, response.text);
          assert.match(response.text, /^<DirectPaymentFault xmlns="http:\/\/directpay.intele.com\/v1\/faults"[^>]*><Code>2<\/Code>/);
          assert.doesNotMatch(response.text, /root:/);
        }
      });
    });

    describe('authentication', () => {
      it('missing, malformed or wrong credentials → code 1 before the body is looked at', async () => {
        const expectUnauthorized = async (auth: string | null, serviceId = 1000) =>
          assertFault(await strex.raw('POST', '', '{', { 'content-type': 'application/json' }, { auth, serviceId }), 401, 1, 'Invalid service credentials');
        await expectUnauthorized(null);
        await expectUnauthorized('Bearer abc');
        await expectUnauthorized('Basic !!!');
        await expectUnauthorized(basicAuth('demo', 'wrong-password'));
        await expectUnauthorized(basicAuth('nobody', 'demo-password'));
        await expectUnauthorized(basicAuth('demo', 'demo-password'), 999_999);
      });

      it('an SMS-platform service cannot use Direct Payment → code 1', async () => {
        assertFault(await strex.pay(details(), { serviceId: 2000 }), 401, 1, 'Invalid service credentials');
        assertFault(await strex.status('anything', { serviceId: 2000 }), 401, 1, 'Invalid service credentials');
      });

      it('a serviceId that is not a number → code 1', async () => {
        const response = await t.app.http.inject({ method: 'GET', url: '/RestV1.svc/service/abc/pay/x', headers: { authorization: basicAuth('demo', 'demo-password') } });
        assert.equal(response.statusCode, 401);
        assert.deepEqual(response.json(), { Code: 1, Description: 'Invalid service credentials' });
      });
    });

    describe('routing', () => {
      it('the base path and routes match case-insensitively; the reference keeps its case', async () => {
        const request = details({ ClientReference: uniqueReference('MiXeD') });
        const paid = await t.app.http.inject({
          method: 'POST',
          url: '/RESTV1.SVC/Service/1000/Pay',
          headers: { authorization: basicAuth('demo', 'demo-password'), 'content-type': 'application/json' },
          payload: { PaymentDetails: request },
        });
        assert.equal(paid.statusCode, 200, paid.body);
        const status = await t.app.http.inject({
          method: 'GET',
          url: `/restv1.svc/service/1000/pay/${request.ClientReference}`,
          headers: { authorization: basicAuth('demo', 'demo-password') },
        });
        assert.equal(status.json().ClientReference, request.ClientReference);
        assert.equal(status.json().PaymentStatus, 1);
      });

      it('an unknown route → code 3', async () => {
        const response = await t.app.http.inject({ method: 'GET', url: '/RestV1.svc/nothing/here' });
        assert.equal(response.statusCode, 404);
        assert.deepEqual(response.json(), { Code: 3, Description: 'No such operation' });
      });
    });

    describe('XML', () => {
      const xmlPay = (reference: string, ns = ` xmlns="${TYPES}"`) =>
        `<?xml version="1.0" encoding="utf-8"?><PaymentRequest${ns}><PaymentDetails><Msisdn>+4790000000</Msisdn><Price>1500</Price>` +
        `<ServiceCode>10002</ServiceCode><ClientReference>${reference}</ClientReference><Age>18</Age></PaymentDetails></PaymentRequest>`;

      it('XML in with Accept: application/xml → XML out, with or without the namespace', async () => {
        for (const ns of [` xmlns="${TYPES}"`, '']) {
          const reference = uniqueReference('xml');
          const headers = { 'content-type': 'application/xml; charset=utf-8', accept: 'application/xml' };
          const response = await strex.raw('POST', '', xmlPay(reference, ns), headers);
          assert.equal(response.status, 200, response.text);
          assert.match(response.contentType, /^application\/xml/);
          const id = /<TransactionId>(\d+)<\/TransactionId>/.exec(response.text)?.[1];
          assert.equal(
            response.text,
            `<PaymentResponse xmlns="${TYPES}"><ClientReference>${reference}</ClientReference><TransactionId>${id}</TransactionId></PaymentResponse>`,
          );
        }
      });

      it('XML in without Accept → JSON out (the response format comes from Accept alone)', async () => {
        const reference = uniqueReference('xml');
        const response = await strex.raw('POST', '', xmlPay(reference), { 'content-type': 'text/xml' });
        assert.equal(response.status, 200, response.text);
        assert.match(response.contentType, /^application\/json/);
        assert.equal((response.body as { ClientReference: string }).ClientReference, reference);
        const star = await strex.raw('POST', '', xmlPay(uniqueReference('xml')), { 'content-type': 'text/xml', accept: '*/*' });
        assert.match(star.contentType, /^application\/json/);
      });

      it('Accept picks the answer format: JSON in, XML out and XML in, JSON out', async () => {
        const jsonIn = await strex.pay(details(), { headers: { accept: 'application/xml' } });
        assert.match(jsonIn.text, new RegExp(`^<PaymentResponse xmlns="${TYPES}">`));
        const reference = uniqueReference('xml');
        const xmlIn = await strex.raw('POST', '', xmlPay(reference), { 'content-type': 'text/xml', accept: 'application/json' });
        assert.equal((xmlIn.body as { ClientReference: string }).ClientReference, reference);
        const status = await strex.status(reference, { headers: { accept: 'application/xml' } });
        assert.match(
          status.text,
          new RegExp(`^<PaymentStatusResponse xmlns="${TYPES}"><ClientReference>${reference}</ClientReference><PaymentStatus>1</PaymentStatus><TransactionId>\\d+</TransactionId></PaymentStatusResponse>$`),
        );
      });

      it('faults in XML carry the faults namespace', async () => {
        const response = await strex.status('missing-ref', { headers: { accept: 'application/xml' } });
        assert.equal(response.status, 404);
        assert.equal(
          response.text,
          `<DirectPaymentFault xmlns="${FAULTS}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><Code>3</Code><Description>No payment with ClientReference missing-ref</Description></DirectPaymentFault>`,
        );
      });

      it('XML escapes and unescapes text', async () => {
        const reference = uniqueReference('a&amp;b');
        const response = await strex.raw('POST', '', xmlPay(reference), { 'content-type': 'application/xml', accept: 'application/xml' });
        assert.equal(response.status, 200, response.text);
        assert.match(response.text, new RegExp(`<ClientReference>${reference}</ClientReference>`));
        const status = await strex.status(reference.replace('&amp;', '&'));
        assert.equal((status.body as { PaymentStatus: number }).PaymentStatus, 1);
      });
    });

    describe('what real clients send', () => {
      it('null optional members (WCF, Jackson) count as absent', async () => {
        const nulls = Object.fromEntries(
          ['Age', 'AuthorizationToken', 'BusinessModel', 'ConfirmationChannel', 'EndUserInvoiceText', 'SecurityLevel', 'TeletorgSettings', 'Differentiator'].map(
            (name) => [name, null],
          ),
        );
        const paid = await strex.pay(details(nulls));
        assert.equal(paid.status, 200, paid.text);
        assert.deepEqual(Object.keys(paid.body as object), ['ClientReference', 'TransactionId']);
      });

      it('nil optional members of an XML body count as absent', async () => {
        const reference = uniqueReference('xnil');
        const xml =
          `<PaymentRequest xmlns="${TYPES}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><PaymentDetails>` +
          '<Age i:nil="true"/><BusinessModel i:nil="true"/><SecurityLevel i:nil="true"/><AuthorizationToken i:nil="true"/>' +
          `<ClientReference>${reference}</ClientReference><Msisdn>+4790000000</Msisdn><Price>700</Price><ServiceCode>10002</ServiceCode>` +
          '</PaymentDetails></PaymentRequest>';
        const paid = await strex.raw('POST', '', xml, { 'content-type': 'application/xml', accept: 'application/xml' });
        assert.equal(paid.status, 200, paid.text);
        assert.match(paid.text, new RegExp(`<ClientReference>${reference}</ClientReference><TransactionId>\\d+</TransactionId>`));
      });

      it('Content-Type on a bodiless GET and DELETE is harmless', async () => {
        const reference = uniqueReference('ct');
        const paid = await strex.pay(details({ ClientReference: reference }));
        const id = (paid.body as { TransactionId: number }).TransactionId;
        const json = { 'content-type': 'application/json' };
        const status = await strex.raw('GET', `/${reference}`, undefined, json);
        assert.equal(status.status, 200, status.text);
        const reversed = await strex.raw('DELETE', `/${id}`, '', json);
        assert.deepEqual({ status: reversed.status, body: reversed.body }, { status: 200, body: { TransactionId: id } });
        const empty = await strex.raw('POST', '', '', json);
        assertFault(empty, 400, 2, 'Invalid request: body must be object');
      });
    });
  });
}
