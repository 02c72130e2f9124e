import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import soap from 'soap';
import { engines, startTestApp, type TestApp, uniqueReference } from '../support/app.js';

const CREDENTIALS = { Password: 'demo-password', ServiceId: 1000, Username: 'demo' };
const ENVELOPE = (body: string) =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${body}</s:Body></s:Envelope>`;
const CREDENTIALS_XML =
  '<ServiceCredentials><Password>demo-password</Password><ServiceId>1000</ServiceId><Username>demo</Username></ServiceCredentials>';

interface SoapFault {
  code: string;
  detail: { Code: string; Description: string };
}

/** The Strex SOAP 1.1 endpoint, called through a client generated from the served WSDL. */
for (const engine of engines()) {
  describe(`Strex SOAP [${engine}]`, () => {
    let t: TestApp;
    let baseUrl: string;
    // The client's methods are generated from the WSDL at run time: no static type to give it.
    let client: any;
    before(async () => {
      t = await startTestApp(engine, 'soap');
      baseUrl = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
      client = await soap.createClientAsync(`${baseUrl}/soapV1.svc?wsdl`);
    });
    after(() => t.close());

    async function faultOf(call: Promise<unknown>): Promise<SoapFault> {
      try {
        await call;
      } catch (error) {
        const e = error as { response?: { status: number }; root?: { Envelope: { Body: { Fault: Record<string, unknown> } } } };
        assert.equal(e.response?.status, 500);
        const fault = e.root?.Envelope.Body.Fault ?? assert.fail('no SOAP fault');
        return { code: String(fault.faultcode), detail: (fault.detail as { DirectPaymentFault: SoapFault['detail'] }).DirectPaymentFault };
      }
      return assert.fail('expected a SOAP fault');
    }

    it('serves the WSDL at ?wsdl and ?singleWsdl, matched case-insensitively', async () => {
      for (const path of ['/soapV1.svc?wsdl', '/SoapV1.svc?singleWsdl', '/SOAPV1.SVC?WSDL']) {
        const response = await fetch(`${baseUrl}${path}`);
        assert.equal(response.status, 200, path);
        assert.match(response.headers.get('content-type') ?? '', /^text\/xml/);
        const wsdl = await response.text();
        for (const operation of ['Pay', 'ReversePayment', 'GetPaymentStatus', 'SendVerificationCode', 'VerifyVerificationCode']) {
          assert.ok(wsdl.includes(`soapAction="http://directpay.intele.com/v1/IDirectPaymentService/${operation}"`), operation);
        }
      }
      assert.equal((await fetch(`${baseUrl}/soapV1.svc`)).status, 404);
    });

    it('Pay, GetPaymentStatus and ReversePayment through the generated client', async () => {
      const reference = uniqueReference('soap');
      const details = { Age: 18, ClientReference: reference, Msisdn: '+4790000000', Price: 1500, SecurityLevel: 1, ServiceCode: '10002' };
      const [paid] = await client.PayAsync({ ServiceCredentials: CREDENTIALS, PaymentDetails: details });
      const id = paid.PayResult.TransactionId;
      assert.deepEqual(paid, { PayResult: { ClientReference: reference, TransactionId: id } });
      const [status] = await client.GetPaymentStatusAsync({ ServiceCredentials: CREDENTIALS, ClientReference: reference });
      assert.deepEqual(status, { GetPaymentStatusResult: { ClientReference: reference, PaymentStatus: 1, TransactionId: id } });
      const [reversed] = await client.ReversePaymentAsync({ ServiceCredentials: CREDENTIALS, ReversePaymentDetails: { TransactionId: id } });
      assert.deepEqual(reversed, { ReversePaymentResult: { TransactionId: id } });
      const [after] = await client.GetPaymentStatusAsync({ ServiceCredentials: CREDENTIALS, ClientReference: reference });
      assert.equal(after.GetPaymentStatusResult.PaymentStatus, 2);
    });

    it('SendVerificationCode and VerifyVerificationCode through the generated client', async () => {
      const msisdn = '+4741300001';
      await client.SendVerificationCodeAsync({ ServiceCredentials: CREDENTIALS, Msisdn: msisdn, Template: 'SOAP code {0}' });
      while ((await t.app.outbox.deliverDue()) > 0) {}
      const inbox = (await (await fetch(`${baseUrl}/sandbox/handsets/${encodeURIComponent(msisdn)}/messages`)).json()) as { text: string }[];
      const code = /SOAP code (\d{6})/.exec(inbox.at(-1)?.text ?? '')?.[1] ?? assert.fail('no code');
      const [verified] = await client.VerifyVerificationCodeAsync({ ServiceCredentials: CREDENTIALS, Msisdn: msisdn, VerificationCode: code });
      assert.equal(verified, null);
      const fault = await faultOf(client.VerifyVerificationCodeAsync({ ServiceCredentials: CREDENTIALS, Msisdn: msisdn, VerificationCode: code }));
      assert.deepEqual(fault, { code: 'a:NotFound', detail: { Code: '3', Description: 'Invalid verification code' } });
    });

    it('faults carry the DirectPaymentFault detail and the WebFault code of its HTTP status', async () => {
      const pay = (details: Record<string, unknown>, credentials = CREDENTIALS) =>
        client.PayAsync({ ServiceCredentials: credentials, PaymentDetails: { ClientReference: uniqueReference('soap'), Msisdn: '+4790000000', Price: 1000, ServiceCode: '10002', ...details } });
      assert.deepEqual(await faultOf(pay({ Age: 17 })), { code: 'a:BadRequest', detail: { Code: '2', Description: 'Invalid age' } });
      assert.deepEqual(await faultOf(pay({}, { ...CREDENTIALS, Password: 'wrong' })), {
        code: 'a:Unauthorized',
        detail: { Code: '1', Description: 'Invalid service credentials' },
      });
      assert.deepEqual(await faultOf(pay({ Msisdn: '+4790000003' })), {
        code: 'a:Forbidden',
        detail: { Code: '7', Description: 'Billing is barred for the msisdn' },
      });
      assert.deepEqual(await faultOf(client.GetPaymentStatusAsync({ ServiceCredentials: CREDENTIALS, ClientReference: 'nope' })), {
        code: 'a:NotFound',
        detail: { Code: '3', Description: 'No payment with ClientReference nope' },
      });
    });

    describe('raw envelopes', () => {
      const post = async (body: string, headers: Record<string, string> = {}) => {
        const started = performance.now();
        const response = await fetch(`${baseUrl}/soapV1.svc`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', ...headers }, body });
        return { status: response.status, text: await response.text(), ms: performance.now() - started };
      };
      const faultDetail = (text: string) => /<Code>(\d+)<\/Code><Description>([^<]*)<\/Description>/.exec(text)?.slice(1);

      it('hostile or malformed XML gets a fault at once (not expanded: within a second even on a loaded machine)', async () => {
        const laughs =
          '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
          '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>' +
          ENVELOPE(`<Pay>${CREDENTIALS_XML}<PaymentDetails><Msisdn>&lol3;</Msisdn></PaymentDetails></Pay>`);
        const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${ENVELOPE(`<GetPaymentStatus>${CREDENTIALS_XML}<ClientReference>&x;</ClientReference></GetPaymentStatus>`)}`;
        for (const body of [laughs, xxe, '<s:Envelope', 'plain text', '<a/>', ENVELOPE('')]) {
          const response = await post(body);
          // An expansion of these entities would take seconds and gigabytes; a refusal takes ~1 ms.
          assert.ok(response.ms < 1_000, `${response.ms} ms`);
          assert.equal(response.status, 500);
          assert.match(response.text, /<faultcode xmlns:a="http:\/\/schemas.microsoft.com\/2009\/WebFault">a:BadRequest<\/faultcode>/);
          assert.equal(faultDetail(response.text)?.[0], '2');
          assert.doesNotMatch(response.text, /root:/);
        }
      });

      it('an unknown operation → code 3; a SOAPAction naming another operation → code 2, in any namespace', async () => {
        assert.deepEqual(faultDetail((await post(ENVELOPE(`<Refund>${CREDENTIALS_XML}</Refund>`))).text), ['3', 'No such operation Refund']);
        const status = ENVELOPE(`<GetPaymentStatus>${CREDENTIALS_XML}<ClientReference>no-such-reference</ClientReference></GetPaymentStatus>`);
        for (const namespace of ['http://directpay.intele.com/v1', 'http://tempuri.org']) {
          const wrong = await post(status, { soapaction: `"${namespace}/IDirectPaymentService/Pay"` });
          assert.deepEqual(faultDetail(wrong.text), ['2', 'SOAPAction ' + `${namespace}/IDirectPaymentService/Pay does not match the operation GetPaymentStatus`]);
          // The operation's own action, whatever the namespace, reaches the operation: unknown reference, code 3.
          const right = await post(status, { soapaction: `"${namespace}/IDirectPaymentService/GetPaymentStatus"` });
          assert.equal(faultDetail(right.text)?.[0], '3', namespace);
        }
      });

      it('a SOAP 1.2 request (application/soap+xml) → 415, as WCF basicHttpBinding answers it', async () => {
        const response = await post(ENVELOPE(`<GetPaymentStatus>${CREDENTIALS_XML}<ClientReference>x</ClientReference></GetPaymentStatus>`), {
          'content-type': 'application/soap+xml; charset=utf-8',
        });
        assert.deepEqual([response.status, response.text], [415, 'Cannot process application/soap+xml; charset=utf-8: this endpoint speaks SOAP 1.1 (text/xml)']);
      });

      it('nil optional members, as a WCF client writes null ones, count as absent', async () => {
        const reference = uniqueReference('nil');
        const nils = ['Age', 'AuthorizationToken', 'BusinessModel', 'ConfirmationChannel', 'EndUserInvoiceText', 'SecurityLevel', 'TeletorgSettings']
          .map((name) => `<a:${name} i:nil="true"/>`)
          .join('');
        const response = await post(
          ENVELOPE(
            `<Pay xmlns="http://directpay.intele.com/v1">${CREDENTIALS_XML}<PaymentDetails xmlns:a="http://directpay.intele.com/v1/types" ` +
              `xmlns:i="http://www.w3.org/2001/XMLSchema-instance">${nils}<a:ClientReference>${reference}</a:ClientReference>` +
              '<a:Msisdn>+4790000000</a:Msisdn><a:Price>700</a:Price><a:ServiceCode>10002</a:ServiceCode></PaymentDetails></Pay>',
          ),
        );
        assert.equal(response.status, 200, response.text);
        assert.match(response.text, new RegExp(`<a:ClientReference>${reference}</a:ClientReference><a:TransactionId>\\d+</a:TransactionId>`));
      });

      it('answers a hand-written envelope in the vendor shape', async () => {
        const reference = uniqueReference('raw');
        const response = await post(
          ENVELOPE(
            `<Pay xmlns="http://directpay.intele.com/v1">${CREDENTIALS_XML}<PaymentDetails><ClientReference>${reference}</ClientReference>` +
              '<Msisdn>+4790000000</Msisdn><Price>700</Price><ServiceCode>10002</ServiceCode></PaymentDetails></Pay>',
          ),
          { soapaction: '"http://directpay.intele.com/v1/IDirectPaymentService/Pay"' },
        );
        assert.equal(response.status, 200);
        assert.match(
          response.text,
          new RegExp(
            '^<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><PayResponse xmlns="http://directpay.intele.com/v1">' +
              `<PayResult xmlns:a="http://directpay.intele.com/v1/types" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><a:ClientReference>${reference}</a:ClientReference><a:TransactionId>\\d+</a:TransactionId></PayResult>` +
              '</PayResponse></s:Body></s:Envelope>$',
          ),
        );
      });
    });
  });
}
