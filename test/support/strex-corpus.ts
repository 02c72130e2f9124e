import type { OpenDcb } from '../../src/app.js';
import { DEMO_AUTH, basicAuth } from './app.js';

/**
 * The Strex wire corpus: requests over REST JSON, REST XML and SOAP, run in order on a fresh
 * app, whose answers (status, content type, the headers a client acts on, body) are
 * recorded byte for byte in test/fixtures/strex/corpus.json. Values the database or a random
 * source generates are normalised (see normalise); nothing else is.
 */
export interface CorpusRequest {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface CorpusAnswer {
  name: string;
  request: CorpusRequest;
  status: number;
  contentType: string;
  /** Headers a client acts on; absent ones are left out. */
  headers: Record<string, string>;
  body: string;
}

const JSON_IN = { 'content-type': 'application/json', authorization: DEMO_AUTH };
const XML_IN = { 'content-type': 'application/xml', accept: 'application/xml', authorization: DEMO_AUTH };
const XML_OUT = { accept: 'application/xml', authorization: DEMO_AUTH };
const REST = '/restV1.svc/service/1000';
const SOAP_CREDENTIALS =
  '<ServiceCredentials><Password>demo-password</Password><ServiceId>1000</ServiceId><Username>demo</Username></ServiceCredentials>';
const TYPES = 'http://directpay.intele.com/v1/types';

const payJson = (details: Record<string, unknown>) => JSON.stringify({ PaymentDetails: { Msisdn: '+4790000000', Price: 1000, ServiceCode: '10002', ...details } });
const xmlMembers = (members: Record<string, string | number>) =>
  Object.entries(members)
    .map(([name, value]) => `<${name}>${value}</${name}>`)
    .join('');
const payXml = (details: Record<string, string | number>) =>
  `<PaymentRequest xmlns="${TYPES}"><PaymentDetails>${xmlMembers({ Msisdn: '+4790000000', Price: 1000, ServiceCode: '10002', ...details })}</PaymentDetails></PaymentRequest>`;
const envelope = (operation: string, members: string, credentials = SOAP_CREDENTIALS) =>
  '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>' +
  `<${operation} xmlns="http://directpay.intele.com/v1">${credentials}${members}</${operation}></s:Body></s:Envelope>`;
const soapDetails = (details: Record<string, string | number>) =>
  `<PaymentDetails>${xmlMembers({ ClientReference: 'x', Msisdn: '+4790000000', Price: 1000, ServiceCode: '10002', ...details })}</PaymentDetails>`;

function json(name: string, method: CorpusRequest['method'], path: string, body?: string, headers: Record<string, string> = JSON_IN): CorpusRequest {
  return { name: `rest-json ${name}`, method, url: `${REST}${path}`, headers, ...(body === undefined ? {} : { body }) };
}
function xml(name: string, method: CorpusRequest['method'], path: string, body?: string, given?: Record<string, string>): CorpusRequest {
  // A bodiless request carries no Content-Type (one that names XML asks for an XML body: recorded on its own below).
  const headers = given ?? (body === undefined ? XML_OUT : XML_IN);
  return { name: `rest-xml ${name}`, method, url: `${REST}${path}`, headers, ...(body === undefined ? {} : { body }) };
}
function soap(name: string, body: string, headers: Record<string, string> = {}): CorpusRequest {
  return { name: `soap ${name}`, method: 'POST', url: '/soapV1.svc', headers: { 'content-type': 'text/xml; charset=utf-8', ...headers }, body };
}

const WRONG_AUTH = { ...JSON_IN, authorization: basicAuth('demo', 'wrong') };
const { authorization: _none, ...NO_AUTH } = JSON_IN;
const verifyMembers = (msisdn: string, code: string) => xmlMembers({ Msisdn: msisdn, VerificationCode: code });

/** In order: later requests read the state earlier ones left ({{txid}} is the last TransactionId answered). */
export const CORPUS: readonly CorpusRequest[] = [
  // REST JSON: Pay and its fault paths.
  json('pay ok', 'POST', '/pay', payJson({ ClientReference: 'c-json-1', Age: 18, SecurityLevel: 1 })),
  json('pay retry same reference', 'POST', '/pay', payJson({ ClientReference: 'c-json-1', Age: 18, SecurityLevel: 1 })),
  json('status paid', 'GET', '/pay/c-json-1'),
  json('reverse ok', 'DELETE', '/pay/{{txid}}'),
  json('status reversed', 'GET', '/pay/c-json-1'),
  json('reverse again', 'DELETE', '/pay/{{txid}}'),
  json('reverse unknown', 'DELETE', '/pay/999999'),
  json('reverse not a number', 'DELETE', '/pay/abc'),
  json('status unknown', 'GET', '/pay/no-such-reference'),
  json('pay reference conflict', 'POST', '/pay', payJson({ ClientReference: 'c-json-1', Price: 2000 })),
  json('pay no credentials', 'POST', '/pay', payJson({ ClientReference: 'c-json-2' }), NO_AUTH),
  json('pay wrong password', 'POST', '/pay', payJson({ ClientReference: 'c-json-2' }), WRONG_AUTH),
  { ...json('pay sms service', 'POST', '/pay', payJson({ ClientReference: 'c-json-2' })), url: '/restV1.svc/service/2000/pay' },
  json('pay invalid msisdn', 'POST', '/pay', payJson({ ClientReference: 'c-json-3', Msisdn: '12345' })),
  json('pay invalid age', 'POST', '/pay', payJson({ ClientReference: 'c-json-3', Age: 17 })),
  json('pay price below range', 'POST', '/pay', payJson({ ClientReference: 'c-json-3', Price: 99 })),
  json('pay unknown service code', 'POST', '/pay', payJson({ ClientReference: 'c-json-3', ServiceCode: '99999' })),
  json('pay malformed service code', 'POST', '/pay', payJson({ ClientReference: 'c-json-3', ServiceCode: 'abc' })),
  json('pay unknown business model', 'POST', '/pay', payJson({ ClientReference: 'c-json-3', BusinessModel: 'LOTTERY' })),
  json('pay security level 3', 'POST', '/pay', payJson({ ClientReference: 'c-json-3', SecurityLevel: 3 })),
  json('pay unknown token', 'POST', '/pay', payJson({ ClientReference: 'c-json-3', AuthorizationToken: 'tok' })),
  json('pay price hex', 'POST', '/pay', payJson({ ClientReference: 'c-json-3', Price: '0x3E8' })),
  json('pay price missing', 'POST', '/pay', JSON.stringify({ PaymentDetails: { Msisdn: '+4790000000', ServiceCode: '10002', ClientReference: 'c-json-3' } })),
  json('pay no wrapper', 'POST', '/pay', JSON.stringify({ Msisdn: '+4790000000' })),
  json('pay broken json', 'POST', '/pay', '{"PaymentDetails":'),
  json('pay empty body', 'POST', '/pay', ''),
  json('pay control character', 'POST', '/pay', payJson({ ClientReference: 'c-\u0001' })),
  json('pay reference too long', 'POST', '/pay', payJson({ ClientReference: 'x'.repeat(101) })),
  json('pay text/plain', 'POST', '/pay', 'Msisdn=1', { ...JSON_IN, 'content-type': 'text/plain' }),
  json('pay unregistered', 'POST', '/pay', payJson({ ClientReference: 'c-json-4', Msisdn: '+4790000001' })),
  json('pay not eligible', 'POST', '/pay', payJson({ ClientReference: 'c-json-5', Msisdn: '+4790000002' })),
  json('pay barred', 'POST', '/pay', payJson({ ClientReference: 'c-json-6', Msisdn: '+4790000003' })),
  json('pay underage', 'POST', '/pay', payJson({ ClientReference: 'c-json-7', Msisdn: '+4790000006', Age: 18 })),
  json('pay monthly limit', 'POST', '/pay', payJson({ ClientReference: 'c-json-8', Msisdn: '+4790000008', Price: 2000 })),
  json('pay operator error', 'POST', '/pay', payJson({ ClientReference: 'c-json-9', Msisdn: '+4790000011' })),
  json('pay blacklisted', 'POST', '/pay', payJson({ ClientReference: 'c-json-10', Msisdn: '+4790000018' })),
  json('pay xml answer', 'POST', '/pay', payJson({ ClientReference: 'c-json-11' }), { ...JSON_IN, accept: 'application/xml' }),
  json('unknown operation', 'GET', '/nothing'),
  json('bad percent encoding', 'GET', '/pay/%ff%fe'),
  // REST JSON: user information, verification, PreAuthorize.
  json('userinfo v1', 'GET', '/msisdn/+4790000000'),
  json('userinfo v1 invalid msisdn', 'GET', '/msisdn/12345'),
  json('userinfo v2 ok', 'GET', '/msisdn/+4790000000/userinfoV2?amount=1000&serviceCode=10002'),
  json('userinfo v2 underage', 'GET', '/msisdn/+4790000006/userinfoV2?amount=1000&serviceCode=10002&age=18'),
  json('userinfo v2 invalid amount', 'GET', '/msisdn/+4790000000/userinfoV2?amount=x&serviceCode=10002'),
  json('userinfo v3', 'GET', '/msisdn/+4790000000/userinfoV3'),
  json('userinfo summary', 'GET', '/msisdn/+4790000000/userinfoSummary?amount=1000&serviceCode=10002'),
  json('userinfo summary barred', 'GET', '/msisdn/+4790000003/userinfoSummary?amount=1000&serviceCode=10002'),
  json('userinfo summary unknown', 'GET', '/msisdn/+4790000001/userinfoSummary?amount=1000&serviceCode=10002'),
  json('send verification code', 'POST', '/verificationcode', JSON.stringify({ Msisdn: '+4741300001', Template: 'Code {0}' })),
  json('send verification bad expiry', 'POST', '/verificationcode', JSON.stringify({ Msisdn: '+4741300001', ExpiryTime: 'soon' })),
  json('verify wrong code', 'POST', '/verificationcode/verify', JSON.stringify({ Msisdn: '+4741300002', VerificationCode: '000000' })),
  json('verify invalid msisdn', 'POST', '/verificationcode/verify', JSON.stringify({ Msisdn: '1', VerificationCode: '000000' })),
  json('preauthorize asserted', 'POST', '/preauthorize/0', JSON.stringify({ Msisdn: '+4790000000', TransactionId: 'pre-1', SecurityLevel: 1 })),
  json('preauthorize pin', 'POST', '/preauthorize/0', JSON.stringify({ Msisdn: '+4790000000', TransactionId: 'pre-2', SecurityLevel: 3 })),
  json('preauthorize platform conflict', 'POST', '/preauthorize/0', JSON.stringify({ Msisdn: '+4790000000', TransactionId: 'pre-3', Platform: 1 })),
  json('preauthorize bad platform', 'POST', '/preauthorize/7', JSON.stringify({ Msisdn: '+4790000000', TransactionId: 'pre-4' })),
  json('preauthorize barred', 'POST', '/preauthorize/0', JSON.stringify({ Msisdn: '+4790000003', TransactionId: 'pre-5', SecurityLevel: 1 })),
  // REST XML.
  xml('pay ok', 'POST', '/pay', payXml({ ClientReference: 'c-xml-1' })),
  xml('status paid', 'GET', '/pay/c-xml-1'),
  xml('reverse ok', 'DELETE', '/pay/{{txid}}'),
  xml('status reversed', 'GET', '/pay/c-xml-1'),
  xml('reverse with an XML content type and no body', 'DELETE', '/pay/{{txid}}', undefined, XML_IN),
  xml('status unknown', 'GET', '/pay/no-such-reference'),
  xml('pay wrong password', 'POST', '/pay', payXml({ ClientReference: 'c-xml-2' }), { ...XML_IN, authorization: basicAuth('demo', 'wrong') }),
  xml('pay invalid msisdn', 'POST', '/pay', payXml({ ClientReference: 'c-xml-3', Msisdn: '12345' })),
  xml('pay barred', 'POST', '/pay', payXml({ ClientReference: 'c-xml-4', Msisdn: '+4790000003' })),
  xml('pay price not an integer', 'POST', '/pay', payXml({ ClientReference: 'c-xml-5', Price: '1e3' })),
  xml('pay dtd', 'POST', '/pay', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><PaymentRequest/>'),
  xml('pay malformed', 'POST', '/pay', '<PaymentRequest><PaymentDetails>'),
  xml('pay nul reference', 'POST', '/pay', payXml({ ClientReference: 'x&#0;y' })),
  xml('pay escaped text', 'POST', '/pay', payXml({ ClientReference: 'a&amp;b&lt;c' })),
  xml('pay json answer', 'POST', '/pay', payXml({ ClientReference: 'c-xml-6' }), { ...XML_IN, accept: 'application/json' }),
  xml('userinfo v1', 'GET', '/msisdn/+4790000000'),
  xml('userinfo v3', 'GET', '/msisdn/+4790000005/userinfoV3'),
  xml('userinfo summary barred', 'GET', '/msisdn/+4790000003/userinfoSummary?amount=1000&serviceCode=10002'),
  xml('verify wrong code', 'POST', '/verificationcode/verify', `<VerifyVerificationCodeRequest>${verifyMembers('+4741300002', '000000')}</VerifyVerificationCodeRequest>`),
  xml('preauthorize asserted', 'POST', '/preauthorize/0', `<PreAuthorizeRequest>${xmlMembers({ Msisdn: '+4790000000', TransactionId: 'pre-xml-1', SecurityLevel: 1 })}</PreAuthorizeRequest>`),
  xml('unknown operation', 'GET', '/nothing'),
  // SOAP.
  { name: 'soap wsdl', method: 'GET', url: '/soapV1.svc?wsdl', headers: { host: 'localhost' } },
  { name: 'soap no wsdl query', method: 'GET', url: '/soapV1.svc' },
  soap('pay ok', envelope('Pay', soapDetails({ ClientReference: 'c-soap-1' })), { soapaction: '"http://directpay.intele.com/v1/IDirectPaymentService/Pay"' }),
  soap('status paid', envelope('GetPaymentStatus', '<ClientReference>c-soap-1</ClientReference>')),
  soap('reverse ok', envelope('ReversePayment', '<ReversePaymentDetails><TransactionId>{{txid}}</TransactionId></ReversePaymentDetails>')),
  soap('reverse again', envelope('ReversePayment', '<ReversePaymentDetails><TransactionId>{{txid}}</TransactionId></ReversePaymentDetails>')),
  soap('status reversed', envelope('GetPaymentStatus', '<ClientReference>c-soap-1</ClientReference>')),
  soap('status unknown', envelope('GetPaymentStatus', '<ClientReference>nope</ClientReference>')),
  soap('pay wrong password', envelope('Pay', soapDetails({ ClientReference: 'c-soap-2' }), SOAP_CREDENTIALS.replace('demo-password', 'wrong'))),
  soap('pay no credentials', envelope('Pay', soapDetails({ ClientReference: 'c-soap-2' }), '')),
  soap('pay service id not an int', envelope('Pay', soapDetails({ ClientReference: 'c-soap-2' }), SOAP_CREDENTIALS.replace('1000', 'x'))),
  soap('pay invalid age', envelope('Pay', soapDetails({ ClientReference: 'c-soap-3', Age: 17 }))),
  soap('pay invalid msisdn', envelope('Pay', soapDetails({ ClientReference: 'c-soap-3', Msisdn: '12345' }))),
  soap('pay barred', envelope('Pay', soapDetails({ ClientReference: 'c-soap-4', Msisdn: '+4790000003' }))),
  soap('pay limit', envelope('Pay', soapDetails({ ClientReference: 'c-soap-5', Msisdn: '+4790000008', Price: 2000 }))),
  soap('pay control character', envelope('Pay', soapDetails({ ClientReference: 'c-soap-6', Differentiator: 'x&#x7F;y' }))),
  soap('pay price not an integer', envelope('Pay', soapDetails({ ClientReference: 'c-soap-6', Price: '0x10' }))),
  soap('pay missing details', envelope('Pay', '')),
  soap('send verification code', envelope('SendVerificationCode', xmlMembers({ Msisdn: '+4741300003', Template: 'Code {0}' }))),
  soap('send verification bad expiry', envelope('SendVerificationCode', xmlMembers({ Msisdn: '+4741300003', ExpiryTime: '2026-02-30T00:00:00Z' }))),
  soap('verify wrong code', envelope('VerifyVerificationCode', verifyMembers('+4741300004', '000000'))),
  soap('unknown operation', envelope('Refund', '')),
  soap('soapaction mismatch', envelope('GetPaymentStatus', '<ClientReference>x</ClientReference>'), { soapaction: '"http://directpay.intele.com/v1/IDirectPaymentService/Pay"' }),
  soap('soap 1.2', envelope('GetPaymentStatus', '<ClientReference>x</ClientReference>'), { 'content-type': 'application/soap+xml; charset=utf-8' }),
  soap('malformed', '<s:Envelope'),
  soap('no body', '<a/>'),
  soap('dtd', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "x">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"/>'),
  { name: 'soap bad percent encoding', method: 'GET', url: '/soapV1.svc/%ff' },
];

const ANSWER_HEADERS = ['www-authenticate', 'retry-after'];

/** Runs the corpus in order against an app; the answers as recorded. */
export async function runCorpus(app: OpenDcb): Promise<CorpusAnswer[]> {
  const answers: CorpusAnswer[] = [];
  let txid = '';
  for (const template of CORPUS) {
    const request = { ...template, url: template.url.replace('{{txid}}', txid), body: template.body?.replace('{{txid}}', txid) };
    const response = await app.http.inject({ method: request.method, url: request.url, headers: request.headers, payload: request.body });
    const body = response.body;
    txid = /"TransactionId":(\d+)|TransactionId>(\d+)</.exec(body)?.slice(1).find(Boolean) ?? txid;
    const headers = Object.fromEntries(ANSWER_HEADERS.filter((name) => response.headers[name] !== undefined).map((name) => [name, String(response.headers[name])]));
    answers.push({ name: template.name, request: template, status: response.statusCode, contentType: String(response.headers['content-type'] ?? ''), headers, body: normalise(body) });
  }
  return answers;
}

/**
 * The values normalised, and only these: TransactionId (a database sequence) and
 * PreAuthorize's Token and ExternalTransactionReference (random). Everything else,
 * descriptions and whitespace included, is compared byte for byte.
 */
export function normalise(body: string): string {
  return body
    .replace(/"TransactionId":\d+/g, '"TransactionId":"<id>"')
    .replace(/(<(?:a:)?TransactionId>)\d+(<\/(?:a:)?TransactionId>)/g, '$1<id>$2')
    .replace(/"(Token|ExternalTransactionReference)":"[^"]*"/g, '"$1":"<random>"')
    .replace(/(<(Token|ExternalTransactionReference)>)[^<]*(<\/\2>)/g, '$1<random>$3');
}
