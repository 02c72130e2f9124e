import assert from 'node:assert/strict';
import type { OpenDcb } from '../../src/app.js';
import { DEMO_AUTH, uniqueReference } from './app.js';

/** One request's answer as the wire carries it. */
export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

const TYPES = 'http://directpay.intele.com/v1/types';
const CREDENTIALS = { ServiceId: '1000', Username: 'demo', Password: 'demo-password' };

/** XML element text for each member; an array is a repeated element. The values are written as given (unescaped). */
export function xmlMembers(members: Record<string, string | string[]>): string {
  return Object.entries(members)
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((text) => `<${name}>${text}</${name}>`))
    .join('');
}

/** The three Strex bindings, REST JSON, REST XML and SOAP, on app.inject(), with the demo credentials. */
export class StrexBindings {
  constructor(private readonly app: OpenDcb) {}

  async call(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: string, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await this.app.http.inject({ method, url, payload, headers: { authorization: DEMO_AUTH, ...headers } });
    return { status: response.statusCode, contentType: String(response.headers['content-type'] ?? ''), text: response.body };
  }

  /** POST to /restV1.svc/service/1000{path} with a JSON body (a string is sent as it is). */
  json(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    return this.call('POST', `/restV1.svc/service/1000${path}`, payload, { 'content-type': 'application/json', ...headers });
  }

  /** POST to /restV1.svc/service/1000{path} with an XML body, asking for XML back. */
  xml(path: string, root: string, members: string): Promise<Answer> {
    const body = `<${root} xmlns="${TYPES}">${members}</${root}>`;
    return this.call('POST', `/restV1.svc/service/1000${path}`, body, { 'content-type': 'application/xml', accept: 'application/xml' });
  }

  /** A SOAP 1.1 call of operation with the demo ServiceCredentials (or the ones given) before the members. */
  soap(operation: string, members: string, credentials: Record<string, string> = CREDENTIALS): Promise<Answer> {
    const body =
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>' +
      `<${operation} xmlns="http://directpay.intele.com/v1"><ServiceCredentials>${xmlMembers(credentials)}</ServiceCredentials>${members}</${operation}>` +
      '</s:Body></s:Envelope>';
    return this.call('POST', '/soapV1.svc', body, { 'content-type': 'text/xml; charset=utf-8' });
  }

  /** GetPaymentStatus over REST: 404 code 3 when nothing was recorded for the reference. */
  status(reference: string): Promise<Answer> {
    return this.call('GET', `/restV1.svc/service/1000/pay/${encodeURIComponent(reference)}`);
  }
}

/** PaymentDetails that pay, with a fresh ClientReference, and the extra members over them. */
export function paymentDetails(extra: Record<string, unknown> = {}): Record<string, unknown> & { ClientReference: string } {
  return { Msisdn: '+4790000000', Price: 1000, ServiceCode: '10002', ClientReference: uniqueReference('hostile'), ...extra };
}

/** The same as XML element texts. */
export function paymentDetailsXml(extra: Record<string, string | string[]> = {}): { reference: string; xml: string } {
  const members = { Msisdn: '+4790000000', Price: '1000', ServiceCode: '10002', ClientReference: uniqueReference('hostile'), ...extra };
  return { reference: String(members.ClientReference), xml: `<PaymentDetails>${xmlMembers(members)}</PaymentDetails>` };
}

type Description = string | RegExp | undefined;

function assertDescription(actual: string, expected: Description): void {
  if (typeof expected === 'string') assert.equal(actual, expected);
  else if (expected) assert.match(actual, expected);
}

export function assertJsonFault(answer: Answer, status: number, code: number, description?: Description): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.contentType, 'application/json; charset=utf-8', answer.text);
  const body = JSON.parse(answer.text) as { Code: number; Description: string };
  assert.deepEqual(Object.keys(body), ['Code', 'Description'], answer.text);
  assert.equal(body.Code, code, answer.text);
  assertDescription(body.Description, description);
}

const XML_FAULT =
  /^<DirectPaymentFault xmlns="http:\/\/directpay\.intele\.com\/v1\/faults" xmlns:i="http:\/\/www\.w3\.org\/2001\/XMLSchema-instance"><Code>(\d+)<\/Code><Description>([^<]*)<\/Description><\/DirectPaymentFault>$/;

export function assertXmlFault(answer: Answer, status: number, code: number, description?: Description): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.contentType, 'application/xml; charset=utf-8', answer.text);
  const match = XML_FAULT.exec(answer.text) ?? assert.fail(`not a DirectPaymentFault: ${answer.text}`);
  assert.equal(Number(match[1]), code, answer.text);
  assertDescription(match[2] ?? '', description);
}

const SOAP_FAULT =
  /^<s:Envelope xmlns:s="http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\/"><s:Body><s:Fault><faultcode xmlns:a="http:\/\/schemas\.microsoft\.com\/2009\/WebFault">a:(\w+)<\/faultcode><faultstring xml:lang="nb-NO">[^<]*<\/faultstring><detail><DirectPaymentFault xmlns="http:\/\/directpay\.intele\.com\/v1\/faults" xmlns:i="[^"]*"><Code>(\d+)<\/Code><Description>([^<]*)<\/Description><\/DirectPaymentFault><\/detail><\/s:Fault><\/s:Body><\/s:Envelope>$/;

/** A SOAP 1.1 fault: HTTP 500, the WebFault code named after the REST status, the DirectPaymentFault detail. */
export function assertSoapFault(answer: Answer, webFault: string, code: number, description?: Description): void {
  assert.equal(answer.status, 500, answer.text);
  assert.equal(answer.contentType, 'text/xml; charset=utf-8', answer.text);
  const match = SOAP_FAULT.exec(answer.text) ?? assert.fail(`not a SOAP fault: ${answer.text}`);
  assert.deepEqual([match[1], Number(match[2])], [webFault, code], answer.text);
  assertDescription(match[3] ?? '', description);
}
