import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import soap from 'soap';
import { asmxSoapAction } from '../../src/facades/kit/wsdl-asmx.js';
import { GREETER_NS, greeterServer, MAX_BODY_BYTES } from '../support/asmx-facade.js';

const BASE = '/V/1/Greeter.asmx';
const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_IN = { 'content-type': 'application/json', accept: 'application/json' };
const SOAP_IN = { 'content-type': 'text/xml; charset=utf-8' };
const LOGIN = { U: 'kit', P: 'secret' };

const bare = (root: string, members: string) => `${XML_DECLARATION}<${root} xmlns="${GREETER_NS}">${members}</${root}>`;
const greeting = (text: string) =>
  `<Status>Success</Status><Description>00 - OK</Description><Text>${text}</Text><Detail><Length>${text.length}</Length><Note></Note></Detail>`;
const error = (description: string) => `<Status>Error</Status><Description>${description}</Description>`;
const jsonError = (description: string, type = 'KitTest.Greet') => JSON.stringify({ d: { __type: type, Status: 'Error', Description: description } });
const envelope = (body: string) =>
  `${XML_DECLARATION}<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
const soapAnswer = (body: string) =>
  `${XML_DECLARATION}<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"` +
  ` xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>${body}</soap:Body></soap:Envelope>`;
const query = (parameters: Record<string, string>) => new URLSearchParams(parameters).toString();

/** The facade kit's ASMX bindings (HTTP GET, POST form, JSON, SOAP 1.1 and its WSDL) on a test-only facade. */
describe('facade kit: ASMX bindings', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await greeterServer();
  });
  after(() => app.close());

  // XML answers escape the quotes of the hygiene's reasons.
  const escaped = (text: string) => text.replace(/</g, '&lt;').replace(/'/g, '&apos;');
  async function call(method: 'GET' | 'POST', url: string, payload?: string, headers: Record<string, string> = {}) {
    const response = await app.inject({ method, url, payload, headers });
    return { status: response.statusCode, type: String(response.headers['content-type']), body: response.body };
  }
  const xmlAnswer = (status: number, body: string) => ({ status, type: 'text/xml; charset=utf-8', body });
  const jsonAnswer = (status: number, body: string) => ({ status, type: 'application/json; charset=utf-8', body });

  it('HTTP GET and POST form answer with the bare XML root; method and parameter names match case-insensitively', async () => {
    const expected = xmlAnswer(200, bare('Greeting', greeting('Hello Ann from kit Hello Ann from kit')));
    assert.deepEqual(await call('GET', `${BASE}/Greet?${query({ Name: 'Ann', Times: '2', ...LOGIN })}`), expected);
    assert.deepEqual(await call('GET', `/v/1/greeter.ASMX/gREET?${query({ name: 'Ann', TIMES: '2', u: 'kit', p: 'secret' })}`), expected);
    assert.deepEqual(await call('POST', `${BASE}/Greet`, query({ Name: 'Ann', Times: '2', ...LOGIN }), FORM), expected);
    assert.deepEqual(await call('POST', `${BASE}/greet`, query({ nAmE: 'Ann', times: '2', U: 'kit', p: 'secret' }), FORM), expected);
  });

  it('JSON answers {"d":{"__type":…}}, nested contracts with their own __type, null as null; numbers as strings or JSON numbers', async () => {
    const text = 'Hello Ann from kit';
    const expected = jsonAnswer(
      200,
      JSON.stringify({ d: { __type: 'KitTest.Greet', Status: 'Success', Description: '00 - OK', Text: text, Detail: { __type: 'KitTest.Detail', Length: '18', Note: null } } }),
    );
    assert.deepEqual(await call('POST', `${BASE}/Greet`, JSON.stringify({ Name: 'Ann', Times: 1, ...LOGIN }), JSON_IN), expected);
    assert.deepEqual(await call('POST', `${BASE}/GREET`, JSON.stringify({ name: 'Ann', times: '1', u: 'kit', P: 'secret' }), JSON_IN), expected);
  });

  it('SOAP 1.1 on the .asmx itself: ASMX envelopes, qualified elements, an array parameter of one item, several or none', async () => {
    const greet = `<Greet xmlns="${GREETER_NS}"><Name>Ann</Name><Times>1</Times><U>kit</U><P>secret</P></Greet>`;
    assert.deepEqual(
      await call('POST', BASE, envelope(greet), { ...SOAP_IN, soapaction: `"${GREETER_NS}/Greet"` }),
      xmlAnswer(200, soapAnswer(`<GreetResponse xmlns="${GREETER_NS}"><GreetResult>${greeting('Hello Ann from kit')}</GreetResult></GreetResponse>`)),
    );
    const pair = (key: string) => `<Pair><Key>${key}</Key><Value>v</Value></Pair>`;
    for (const [items, count] of [[pair('a') + pair('b') + pair('c'), 3], [pair('a'), 1], ['', 0]] as const) {
      const body = envelope(`<CountPairs xmlns="${GREETER_NS}"><Items>${items}</Items><U>kit</U><P>secret</P></CountPairs>`);
      const result = `<Status>Success</Status><Description>00 - OK</Description><Count>${count}</Count>`;
      assert.deepEqual(
        await call('POST', BASE, body, SOAP_IN),
        xmlAnswer(200, soapAnswer(`<CountPairsResponse xmlns="${GREETER_NS}"><CountPairsResult>${result}</CountPairsResult></CountPairsResponse>`)),
      );
    }
  });

  it('the generated WSDL drives a generated SOAP client (npm soap), arrays included', async () => {
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    // The client's methods are generated from the WSDL at run time: no static type to give it.
    const client: any = await soap.createClientAsync(`${baseUrl}${BASE}?wsdl`);
    const [greeted] = await client.GreetAsync({ Name: 'Bo', Times: 1, ...LOGIN });
    assert.deepEqual(greeted, {
      GreetResult: { Status: 'Success', Description: '00 - OK', Text: 'Hello Bo from kit', Detail: { Length: '17', Note: '' } },
    });
    const [counted] = await client.CountPairsAsync({ Items: { Pair: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }, ...LOGIN });
    assert.deepEqual(counted, { CountPairsResult: { Status: 'Success', Description: '00 - OK', Count: '2' } });
    const [refused] = await client.GreetAsync({ Name: 'Bo', Times: 1, U: 'kit', P: 'wrong' });
    assert.deepEqual(refused, { GreetResult: { Status: 'Error', Description: '01 - Invalid Login' } });
    const wsdl = await (await fetch(`${baseUrl}${BASE}?WSDL`)).text();
    assert.ok(wsdl.includes(`<soap:operation soapAction="${GREETER_NS}/Greet" style="document"/>`));
    assert.ok(wsdl.includes('<s:element minOccurs="1" maxOccurs="1" name="Times" type="s:int"/>'));
    assert.ok(wsdl.includes('<s:element minOccurs="0" maxOccurs="1" name="Items" type="tns:ArrayOfPair"/>'));
  });

  it('SOAPActions join the namespace and the method with one slash (tempuri.org style too)', () => {
    assert.equal(asmxSoapAction('http://tempuri.org/', 'SendMessageWithCampaign'), 'http://tempuri.org/SendMessageWithCampaign');
    assert.equal(asmxSoapAction(GREETER_NS, 'Greet'), `${GREETER_NS}/Greet`);
  });

  it('wrong or missing credentials: the facade answers 01 in every binding before reading the parameters', async () => {
    const refused = '01 - Invalid Login';
    assert.deepEqual(await call('GET', `${BASE}/Greet?${query({ Name: 'Ann', Times: '1', U: 'kit', P: 'nope' })}`), xmlAnswer(200, bare('Greeting', error(refused))));
    // The parameters are wrong too: the credentials are judged first.
    assert.deepEqual(await call('POST', `${BASE}/Greet`, query({ Times: 'x' }), FORM), xmlAnswer(200, bare('Greeting', error(refused))));
    assert.deepEqual(await call('POST', `${BASE}/Greet`, '{}', JSON_IN), jsonAnswer(200, jsonError(refused)));
    const body = envelope(`<Greet xmlns="${GREETER_NS}"><Name>Ann</Name><Times>1</Times></Greet>`);
    assert.deepEqual(
      await call('POST', BASE, body, SOAP_IN),
      xmlAnswer(200, soapAnswer(`<GreetResponse xmlns="${GREETER_NS}"><GreetResult>${error(refused)}</GreetResult></GreetResponse>`)),
    );
  });

  it('malformed parameters go through the shared wire-input hygiene in every binding', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ Times: '1' }, "02 - Invalid parameter: Greet must have required property 'Name'"],
      [{ Name: 'Ann', Times: '0x2' }, '02 - Invalid parameter: Greet/Times must be integer'],
      [{ Name: 'Ann', Times: ' 2' }, '02 - Invalid parameter: Greet/Times must be integer'],
      [{ Name: 'Ann', Times: '4' }, '02 - Invalid parameter: Greet/Times must be <= 3'],
      [{ Name: 'A\u0007n', Times: '1' }, '02 - Invalid parameter: Greet/Name must not contain control characters'],
      [{ Name: 'A'.repeat(41), Times: '1' }, '02 - Invalid parameter: Greet/Name must not have more than 40 characters'],
    ];
    for (const [parameters, description] of cases) {
      const given = { ...parameters, ...LOGIN };
      const xml = xmlAnswer(200, bare('Greeting', error(escaped(description))));
      assert.deepEqual(await call('GET', `${BASE}/Greet?${query(given)}`), xml, description);
      assert.deepEqual(await call('POST', `${BASE}/Greet`, query(given), FORM), xml, description);
      assert.deepEqual(await call('POST', `${BASE}/Greet`, JSON.stringify(given), JSON_IN), jsonAnswer(200, jsonError(description)), description);
    }
    const twice = '02 - Invalid parameter: /Name must not be given twice';
    assert.deepEqual(await call('GET', `${BASE}/Greet?Name=a&name=b&Times=1&U=kit&P=secret`), xmlAnswer(200, bare('Greeting', error(twice))));
    const repeated = '02 - Invalid parameter: Greet/Name must be string';
    assert.deepEqual(await call('POST', `${BASE}/Greet`, 'Name=a&Name=b&Times=1&U=kit&P=secret', FORM), xmlAnswer(200, bare('Greeting', error(repeated))));
    const nested = '02 - Invalid parameter: Greet/Name must be string';
    assert.deepEqual(await call('POST', `${BASE}/Greet`, JSON.stringify({ Name: { a: 1 }, Times: 1, ...LOGIN }), JSON_IN), jsonAnswer(200, jsonError(nested)));
  });

  it('bounds: parameter counts and body sizes are refused, never a 500', async () => {
    const many = Array.from({ length: 65 }, (_, index) => `x${index}=1`).join('&');
    const tooMany = '02 - Invalid parameter:  must not have more than 64 parameters';
    assert.deepEqual(await call('GET', `${BASE}/Greet?${many}`), xmlAnswer(200, bare('Greeting', error(tooMany))));
    assert.deepEqual(await call('POST', `${BASE}/Greet`, many, FORM), xmlAnswer(200, bare('Greeting', error(tooMany))));
    const big = `Name=${'a'.repeat(MAX_BODY_BYTES)}&Times=1&U=kit&P=secret`;
    assert.deepEqual(await call('POST', `${BASE}/Greet`, big, FORM), xmlAnswer(413, bare('Greeting', error('02 - Unreadable request'))));
    assert.deepEqual(await call('POST', `${BASE}/Greet`, JSON.stringify({ Name: big }), JSON_IN), jsonAnswer(413, jsonError('02 - Unreadable request')));
    const soapBig = envelope(`<Greet xmlns="${GREETER_NS}"><Name>${'a'.repeat(MAX_BODY_BYTES)}</Name></Greet>`);
    const answer = await call('POST', BASE, soapBig, SOAP_IN);
    assert.equal(answer.status, 500);
    assert.equal(answer.body, soapAnswer('<soap:Fault><faultcode>soap:Client</faultcode><faultstring>Unreadable request</faultstring><detail></detail></soap:Fault>'));
  });

  it('unreadable bodies: invalid JSON and prototype poisoning → 400; unknown methods and SOAP-only methods over HTTP → 404', async () => {
    assert.deepEqual(await call('POST', `${BASE}/Greet`, '{"Name":', JSON_IN), jsonAnswer(400, jsonError('02 - Unreadable request')));
    assert.deepEqual(await call('POST', `${BASE}/Greet`, '{"__proto__":{"x":1}}', JSON_IN), jsonAnswer(400, jsonError('02 - Unreadable request')));
    assert.deepEqual(await call('GET', `${BASE}/Nope?U=kit`), xmlAnswer(404, bare('Greeting', error('02 - Unknown method'))));
    assert.deepEqual(await call('GET', `${BASE}/CountPairs?${query(LOGIN)}`), xmlAnswer(404, bare('Counted', error('02 - Unknown method'))));
    assert.deepEqual(await call('POST', `${BASE}/CountPairs`, JSON.stringify(LOGIN), JSON_IN), jsonAnswer(404, jsonError('02 - Unknown method', 'KitTest.Counted')));
    assert.deepEqual(await call('GET', `${BASE}/%ff`), xmlAnswer(400, bare('Greeting', error('02 - Bad URL'))));
  });

  it('malformed SOAP requests → a SOAP 1.1 fault with HTTP 500', async () => {
    const fault = (text: string) => xmlAnswer(500, soapAnswer(`<soap:Fault><faultcode>soap:Client</faultcode><faultstring>${text}</faultstring><detail></detail></soap:Fault>`));
    assert.deepEqual(await call('POST', BASE, '<soap:Envelope', SOAP_IN), fault('Malformed XML'));
    assert.deepEqual(await call('POST', BASE, '<a/>', SOAP_IN), fault('Not a SOAP envelope'));
    assert.deepEqual(await call('POST', BASE, envelope('<Greet/><Greet/>'), SOAP_IN), fault('Not one operation'));
    assert.deepEqual(await call('POST', BASE, envelope('<greet/>'), SOAP_IN), fault('Unknown method'));
    assert.deepEqual(await call('POST', BASE, envelope('<Greet/>'), { ...SOAP_IN, soapaction: `"${GREETER_NS}/CountPairs"` }), fault('SOAPAction does not match'));
    assert.deepEqual(await call('POST', BASE, '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "x">]><r/>', SOAP_IN), fault('Malformed XML'));
  });
});
