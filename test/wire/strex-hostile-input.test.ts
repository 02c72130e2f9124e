import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, engines, startTestApp, type TestApp, uniqueReference } from '../support/app.js';
import {
  assertJsonFault,
  assertSoapFault,
  assertXmlFault,
  paymentDetails,
  paymentDetailsXml,
  StrexBindings,
  xmlMembers,
} from '../support/bindings.js';

/** Control characters, unpaired surrogates, .NET-range dates, broken URLs and loose integers (hardening items 7-10). */

// C0 (NUL, BEL, US), DEL, C1 (NEL, the last C1), an unpaired high and low surrogate.
const BAD_TEXT = ['\u0000', '\u0007', '\u001F', '\u007F', '\u0085', '\u009F', '\uD800', '\uDC00'];
const BAD_REFERENCES = ['&#0;', '&#x1;', '&#x1F;', '&#xD800;', '&#xFFFF;'];
const PAST_DOTNET = ['/Date(253402300800000)/', '/Date(-62135596800001)/', '9999-12-31T23:59:59-01:00', '0000-12-31T00:00:00Z', '10000-01-01T00:00:00Z'];
const IMPOSSIBLE_DATES = ['2027-02-30T00:00:00', '2027-13-01T00:00:00', '2027-01-01T24:30:00', '2027-04-31T12:00:00Z'];
const LOOSE_INTEGERS: unknown[] = ['0x3E8', '1e3', [1000], ' 1000 ', '+1000', '1000.0', 1000.5, true, '1 000'];
const LOOSE_XML_INTEGERS = ['0x3E8', '1e3', '+1000', '1000.0', '1_000', '&#x31;000.5'];

for (const engine of engines()) {
  describe(`Strex hostile input [${engine}]`, () => {
    let t: TestApp;
    let strex: StrexBindings;
    before(async () => {
      t = await startTestApp(engine, 'hostile');
      strex = new StrexBindings(t.app);
    });
    after(() => t.close());

    /** Nothing was charged: GetPaymentStatus does not know the reference. */
    async function assertNotCharged(reference: string) {
      assertJsonFault(await strex.status(reference), 404, 3);
    }

    describe('7. control characters in text', () => {
      it('REST JSON: in any PaymentDetails text, a member name or an unknown member → code 2, nothing charged', async () => {
        const fields = ['ClientReference', 'Msisdn', 'ServiceCode', 'EndUserInvoiceText', 'Differentiator', 'InvoiceNode', 'BusinessModel', 'AuthorizationToken'];
        for (const field of fields) {
          for (const bad of BAD_TEXT) {
            const details = paymentDetails({ [field]: `a${bad}b` });
            const answer = await strex.json('/pay', { PaymentDetails: details });
            assertJsonFault(answer, 400, 2, new RegExp(`^Invalid request: body/PaymentDetails/${field} must not contain (control characters|unpaired surrogates)$`));
            if (field !== 'ClientReference') await assertNotCharged(details.ClientReference);
          }
        }
        const teletorg = await strex.json('/pay', { PaymentDetails: paymentDetails({ TeletorgSettings: { Bnumber: '820', StartTime: '2027-01-01 00:00:00\u0000' } }) });
        assertJsonFault(teletorg, 400, 2, 'Invalid request: body/PaymentDetails/TeletorgSettings/StartTime must not contain control characters');
        const name = await strex.json('/pay', `{"PaymentDetails":${JSON.stringify(paymentDetails()).replace('{', '{"Attempt\\u0000":1,')}}`);
        assertJsonFault(name, 400, 2, 'Invalid request: body/PaymentDetails must not have member names with control characters or unpaired surrogates');
        const unknown = await strex.json('/pay', { PaymentDetails: paymentDetails({ UssdAuthorization: ['\u0000'] }) });
        assertJsonFault(unknown, 400, 2, 'Invalid request: body/PaymentDetails/UssdAuthorization/0 must not contain control characters');
      });

      it('REST JSON: SendVerificationCode Template, VerifyVerificationCode and PreAuthorize texts → code 2', async () => {
        assertJsonFault(await strex.json('/verificationcode', { Msisdn: '+4741300010', Template: 'Code\u0000 {0}' }), 400, 2, /Template must not contain control characters$/);
        assertJsonFault(await strex.json('/verificationcode/verify', { Msisdn: '+4741300010', VerificationCode: '12\u00003456' }), 400, 2, /VerificationCode/);
        for (const field of ['TransactionId', 'MessagePrefix', 'MessageSuffix', 'TokenDescription', 'Msisdn']) {
          const body = { Msisdn: '+4790000000', TransactionId: uniqueReference('pre'), [field]: 'x\u0000y' };
          assertJsonFault(await strex.json('/preauthorize/0', body), 400, 2, new RegExp(`^Invalid request: body/${field} must not contain control characters$`));
        }
      });

      it('REST JSON: TAB, LF and CR pass (a template may have a newline); the answers are as before, byte for byte', async () => {
        assert.equal((await strex.json('/verificationcode', { Msisdn: '+4741300011', Template: 'Your code:\r\n\t{0}' })).status, 200);
        const details = paymentDetails({ ClientReference: uniqueReference('ok-æøå-😀'), EndUserInvoiceText: 'Line 1\nLine 2\tend' });
        const paid = await strex.json('/pay', { PaymentDetails: details });
        assert.equal(paid.status, 200, paid.text);
        const id = /"TransactionId":(\d+)}$/.exec(paid.text)?.[1] ?? assert.fail(paid.text);
        assert.equal(paid.text, `{"ClientReference":${JSON.stringify(details.ClientReference)},"TransactionId":${id}}`);
      });

      it('path parameters and query strings: %00 and other control characters → code 2', async () => {
        for (const [method, url] of [
          ['GET', '/restV1.svc/service/1000/pay/a%00b'],
          ['GET', '/restV1.svc/service/1000/pay/a%C2%85b'],
          ['DELETE', '/restV1.svc/service/1000/pay/1%7F'],
          ['GET', '/restV1.svc/service/1000/msisdn/%2B4790000000%00'],
          ['GET', '/restV1.svc/service/1000%00/pay/x'],
          ['GET', '/restV1.svc/service/1000/msisdn/+4790000000/userinfoV2?amount=100&serviceCode=10002%00'],
          ['GET', '/restV1.svc/service/1000/msisdn/+4790000000/userinfoSummary?amount=100&serviceCode=10002&Age=18%00'],
        ] as const) {
          const answer = await strex.call(method, url);
          assertJsonFault(answer, 400, 2, /^Invalid request: .*must not contain control characters$/);
        }
        const xml = await strex.call('GET', '/restV1.svc/service/1000/pay/a%00b', undefined, { accept: 'application/xml' });
        assertXmlFault(xml, 400, 2, 'Invalid request: params/reference must not contain control characters');
      });

      it('HTTP Basic credentials with a control character → code 2, before the database sees them', async () => {
        for (const auth of [basicAuth('de\u0000mo', 'demo-password'), basicAuth('demo', 'demo-password\u0000'), basicAuth('demo\u0085', 'x')]) {
          const answer = await strex.call('GET', '/restV1.svc/service/1000/pay/x', undefined, { authorization: auth });
          assertJsonFault(answer, 400, 2, 'Invalid request: the service credentials must not contain control characters');
        }
      });

      it('REST XML: &#0; and other references to non-XML characters, raw control characters, DEL and C1 → code 2 in XML', async () => {
        for (const text of [...BAD_REFERENCES.map((reference) => `x${reference}y`), 'x\u0001y', 'x\u0000y']) {
          const { reference, xml } = paymentDetailsXml({ EndUserInvoiceText: text });
          assertXmlFault(await strex.xml('/pay', 'PaymentRequest', xml), 400, 2, /^Invalid XML body: /);
          await assertNotCharged(reference);
        }
        for (const text of ['x&#x7F;y', 'x&#x85;y', 'x\u007Fy', 'x\u0085y']) {
          const { xml } = paymentDetailsXml({ ClientReference: text });
          assertXmlFault(await strex.xml('/pay', 'PaymentRequest', xml), 400, 2, 'Invalid request: body/PaymentDetails/ClientReference must not contain control characters');
        }
        const template = xmlMembers({ Msisdn: '+4741300012', Template: 'Code &#0; {0}' });
        assertXmlFault(await strex.xml('/verificationcode', 'SendVerificationCodeRequest', template), 400, 2, /^Invalid XML body: /);
      });

      it('SOAP: the same in every operation and in the credentials → a BadRequest SOAP fault, code 2', async () => {
        for (const text of ['x&#0;y', 'x&#xD800;y', 'x\u0001y']) {
          assertSoapFault(await strex.soap('Pay', paymentDetailsXml({ ClientReference: text }).xml), 'BadRequest', 2, /^Invalid XML body: /);
        }
        const del = await strex.soap('Pay', paymentDetailsXml({ Differentiator: 'x&#x7F;y' }).xml);
        assertSoapFault(del, 'BadRequest', 2, 'Invalid request: Pay/PaymentDetails/Differentiator must not contain control characters');
        const status = await strex.soap('GetPaymentStatus', xmlMembers({ ClientReference: 'x&#x85;y' }));
        assertSoapFault(status, 'BadRequest', 2, 'Invalid request: GetPaymentStatus/ClientReference must not contain control characters');
        const reverse = await strex.soap('ReversePayment', `<ReversePaymentDetails>${xmlMembers({ TransactionId: '1&#x9F;' })}</ReversePaymentDetails>`);
        assertSoapFault(reverse, 'BadRequest', 2, 'Invalid request: ReversePayment/ReversePaymentDetails/TransactionId must not contain control characters');
        const template = await strex.soap('SendVerificationCode', xmlMembers({ Msisdn: '+4741300013', Template: 'Code&#x7F; {0}' }));
        assertSoapFault(template, 'BadRequest', 2, 'Invalid request: SendVerificationCode/Template must not contain control characters');
        const credentials = await strex.soap('GetPaymentStatus', xmlMembers({ ClientReference: 'x' }), { ServiceId: '1000', Username: 'demo&#x7F;', Password: 'x' });
        assertSoapFault(credentials, 'BadRequest', 2, 'Invalid request: GetPaymentStatus/ServiceCredentials/Username must not contain control characters');
      });
    });

    describe('8. dates beyond a .NET DateTime', () => {
      it('REST JSON: ExpiryTime outside 0001-01-01 … 9999-12-31 (UTC) → code 2 Invalid ExpiryTime', async () => {
        for (const expiry of PAST_DOTNET) {
          assertJsonFault(await strex.json('/verificationcode', { Msisdn: '+4741300020', ExpiryTime: expiry }), 400, 2, 'Invalid ExpiryTime');
        }
      });

      it('REST XML and SOAP: the same', async () => {
        for (const expiry of PAST_DOTNET) {
          const members = xmlMembers({ Msisdn: '+4741300021', ExpiryTime: expiry });
          assertXmlFault(await strex.xml('/verificationcode', 'SendVerificationCodeRequest', members), 400, 2, 'Invalid ExpiryTime');
          assertSoapFault(await strex.soap('SendVerificationCode', members), 'BadRequest', 2, 'Invalid ExpiryTime');
        }
      });

      it('the last instant a .NET DateTime holds is stored and read back; the first is in the past', async () => {
        const msisdn = '+4741300022';
        assert.equal((await strex.json('/verificationcode', { Msisdn: msisdn, ExpiryTime: '/Date(253402300799999)/', Template: 'Max {0}' })).status, 200);
        while ((await t.app.outbox.deliverDue()) > 0) {}
        const messages = JSON.parse((await strex.call('GET', `/sandbox/handsets/${encodeURIComponent(msisdn)}/messages`)).text) as { text: string }[];
        const code = /Max (\d{6})/.exec(messages.at(-1)?.text ?? '')?.[1] ?? assert.fail('no code');
        assert.equal((await strex.json('/verificationcode/verify', { Msisdn: msisdn, VerificationCode: code })).status, 200);
        const soap = await strex.soap('SendVerificationCode', xmlMembers({ Msisdn: '+4741300023', ExpiryTime: '9999-12-31T23:59:59.9999999Z' }));
        assert.equal(soap.status, 200, soap.text);
        assertJsonFault(await strex.json('/verificationcode', { Msisdn: msisdn, ExpiryTime: '0001-01-01T00:00:00Z' }), 400, 2, 'ExpiryTime is in the past');
      });
    });

    describe('9. malformed percent-encoding in the URL', () => {
      const badPaths = ['/restV1.svc/service/1000/pay/%ff%fe', '/restV1.svc/service/1000/pay/%zz', '/RESTV1.SVC/service/1000/msisdn/%E0%A4%A', '/restV1.svc/%ff'];

      it('under /restV1.svc → a DirectPaymentFault, code 2, in the format Accept asks for, without the URL', async () => {
        for (const path of badPaths) {
          const json = await strex.call('GET', path);
          assertJsonFault(json, 400, 2, 'Invalid request: the URL is not validly percent-encoded');
          const xml = await strex.call('DELETE', path, undefined, { accept: 'application/xml' });
          assertXmlFault(xml, 400, 2, 'Invalid request: the URL is not validly percent-encoded');
        }
        const post = await strex.call('POST', '/restV1.svc/service/1000/pay%zz', JSON.stringify({ PaymentDetails: paymentDetails() }), { 'content-type': 'application/json' });
        assertJsonFault(post, 400, 2, 'Invalid request: the URL is not validly percent-encoded');
      });

      it('under /soapV1.svc → a BadRequest SOAP fault, code 2', async () => {
        for (const [method, path] of [['POST', '/soapV1.svc/%ff'], ['GET', '/SoapV1.svc/%zz?wsdl']] as const) {
          assertSoapFault(await strex.call(method, path), 'BadRequest', 2, 'Invalid request: the URL is not validly percent-encoded');
        }
      });

      it('anywhere else → a plain JSON 400 that does not echo the URL', async () => {
        for (const path of ['/sandbox/handsets/%ff', '/%zz', '/restV1.svcx/%ff', '/healthz%ff']) {
          const answer = await strex.call('GET', path);
          assert.equal(answer.status, 400, path);
          assert.equal(answer.contentType, 'application/json; charset=utf-8');
          assert.deepEqual(JSON.parse(answer.text), { error: 'Bad Request', code: 'FST_ERR_BAD_URL', message: 'The URL is not validly percent-encoded', statusCode: 400 });
        }
      });
    });

    describe('10. integers only as integers, dates only as real dates', () => {
      it('REST JSON: Price as "0x3E8", "1e3", [1000], " 1000 ", "+1000" … → code 2, nothing charged; 1000 and "1000" pay', async () => {
        for (const price of LOOSE_INTEGERS) {
          const details = paymentDetails({ Price: price });
          assertJsonFault(await strex.json('/pay', { PaymentDetails: details }), 400, 2, 'Invalid request: body/PaymentDetails/Price must be integer');
          await assertNotCharged(details.ClientReference);
        }
        for (const price of [1000, '1000']) assert.equal((await strex.json('/pay', { PaymentDetails: paymentDetails({ Price: price }) })).status, 200);
      });

      it('REST JSON: Age, SecurityLevel, ConfirmationChannel and the TeletorgSettings integers are as strict', async () => {
        const cases: [Record<string, unknown>, string][] = [
          [{ Age: '0x12' }, 'Age'],
          [{ Age: [18] }, 'Age'],
          [{ SecurityLevel: '+1' }, 'SecurityLevel'],
          [{ SecurityLevel: ' 1' }, 'SecurityLevel'],
          [{ ConfirmationChannel: [2] }, 'ConfirmationChannel'],
          [{ ConfirmationChannel: '2e0' }, 'ConfirmationChannel'],
          [{ TeletorgSettings: { StartPrice: '1e2' } }, 'TeletorgSettings/StartPrice'],
          [{ TeletorgSettings: { Duration: ' 60' } }, 'TeletorgSettings/Duration'],
        ];
        for (const [extra, field] of cases) {
          const details = paymentDetails(extra);
          assertJsonFault(await strex.json('/pay', { PaymentDetails: details }), 400, 2, `Invalid request: body/PaymentDetails/${field} must be integer`);
          await assertNotCharged(details.ClientReference);
        }
        const strings = paymentDetails({ Age: '18', SecurityLevel: '1', TeletorgSettings: { StartPrice: '100', Duration: '60' } });
        assert.equal((await strex.json('/pay', { PaymentDetails: strings })).status, 200);
        const preauthorize = (extra: Record<string, unknown>) => strex.json('/preauthorize/0', { Msisdn: '+4790000000', TransactionId: uniqueReference('pre'), ...extra });
        for (const age of [' 18', '+18', '1e1', '0x1']) assertJsonFault(await preauthorize({ Age: age }), 400, 2, 'Invalid age');
        assertJsonFault(await preauthorize({ SecurityLevel: '+2' }), 400, 2, /^Invalid request: body\/SecurityLevel must be integer$/);
        assertJsonFault(await preauthorize({ ConfirmationChannel: '0x1' }), 400, 2, /^Invalid request: body\/ConfirmationChannel must be integer$/);
      });

      it('REST XML: element text that is not a plain decimal integer, or a repeated element → code 2 in XML, nothing charged', async () => {
        for (const price of [...LOOSE_XML_INTEGERS, ['1000', '1000']]) {
          const { reference, xml } = paymentDetailsXml({ Price: price });
          assertXmlFault(await strex.xml('/pay', 'PaymentRequest', xml), 400, 2, 'Invalid request: body/PaymentDetails/Price must be integer');
          await assertNotCharged(reference);
        }
        for (const age of ['1e1', '+18', '']) {
          assertXmlFault(await strex.xml('/pay', 'PaymentRequest', paymentDetailsXml({ Age: age }).xml), 400, 2, 'Invalid request: body/PaymentDetails/Age must be integer');
        }
      });

      it('SOAP: the same for Price and Age; a ServiceId that is not an xsd:int → code 2', async () => {
        for (const price of [...LOOSE_XML_INTEGERS, ['1000', '1000']]) {
          const { reference, xml } = paymentDetailsXml({ Price: price });
          assertSoapFault(await strex.soap('Pay', xml), 'BadRequest', 2, 'Invalid request: Pay/PaymentDetails/Price must be integer');
          await assertNotCharged(reference);
        }
        assertSoapFault(await strex.soap('Pay', paymentDetailsXml({ SecurityLevel: '0x1' }).xml), 'BadRequest', 2, 'Invalid request: Pay/PaymentDetails/SecurityLevel must be integer');
        for (const serviceId of ['+1000', '0x3E8', '1e3', '1000.0']) {
          const answer = await strex.soap('GetPaymentStatus', xmlMembers({ ClientReference: 'x' }), { ServiceId: serviceId, Username: 'demo', Password: 'demo-password' });
          assertSoapFault(answer, 'BadRequest', 2, 'Invalid request: GetPaymentStatus/ServiceCredentials/ServiceId must be integer');
        }
        assert.equal((await strex.soap('Pay', paymentDetailsXml({ Price: '01000' }).xml)).status, 200, 'leading zeros are still decimal');
      });

      it('an impossible date or time is refused, not rolled over, in every binding', async () => {
        for (const expiry of IMPOSSIBLE_DATES) {
          assertJsonFault(await strex.json('/verificationcode', { Msisdn: '+4741300030', ExpiryTime: expiry }), 400, 2, 'Invalid ExpiryTime');
          const members = xmlMembers({ Msisdn: '+4741300031', ExpiryTime: expiry });
          assertXmlFault(await strex.xml('/verificationcode', 'SendVerificationCodeRequest', members), 400, 2, 'Invalid ExpiryTime');
          assertSoapFault(await strex.soap('SendVerificationCode', members), 'BadRequest', 2, 'Invalid ExpiryTime');
        }
      });
    });
  });
}
