import { MsisdnSealer, parseSealingKeys } from '../../src/core/aliases/sealed-msisdn.js';
import type { TestApp } from './app.js';

/** Keys a test app is given (INFOMEDIA_MX_KEYS), so a test can seal MX values as the app does. */
export const TEST_MX_KEYS = `7:${Buffer.alloc(32, 7).toString('base64')}`;
export const TEST_SEALER = new MsisdnSealer(parseSealingKeys(TEST_MX_KEYS) ?? []);

export const IM_BASE = '/V/1/6/Default.asmx';
export const IM_NS = 'http://localhost/InAppbillingAPI/InAppBilling';
export const PARTNER = { U: 'demo', P: 'demo-password' } as const;
export const PARTNER2 = { U: 'demo2', P: 'demo-password' } as const;
const FORM = 'application/x-www-form-urlencoded';
const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>';

export type Binding = 'get' | 'post' | 'json' | 'soap';
export const BINDINGS: readonly Binding[] = ['get', 'post', 'json', 'soap'];

export interface Answer {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

/** Calls a method in one binding with string parameters (in the order given). */
export async function callMethod(t: TestApp, binding: Binding, method: string, params: Record<string, string>, remoteAddress = '192.0.2.10'): Promise<Answer> {
  const query = new URLSearchParams(params).toString();
  const request =
    binding === 'get'
      ? { method: 'GET' as const, url: `${IM_BASE}/${method}?${query}` }
      : binding === 'post'
        ? { method: 'POST' as const, url: `${IM_BASE}/${method}`, headers: { 'content-type': FORM }, payload: query }
        : binding === 'json'
          ? { method: 'POST' as const, url: `${IM_BASE}/${method}`, headers: { 'content-type': 'application/json', accept: 'application/json' }, payload: JSON.stringify(params) }
          : {
              method: 'POST' as const,
              url: IM_BASE,
              headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${IM_NS}/${method}"` },
              payload: soapRequest(method, params),
            };
  const response = await t.app.http.inject({ ...request, remoteAddress });
  return { status: response.statusCode, type: String(response.headers['content-type']), body: response.body };
}

export function soapRequest(method: string, params: Record<string, string>): string {
  const members = Object.entries(params).map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`).join('');
  return (
    `${XML_DECL}<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">` +
    `<soap:Body><${method} xmlns="${IM_NS}">${members}</${method}></soap:Body></soap:Envelope>`
  );
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The answer a binding gives for members (strings, null, or nested objects with their JSON __type). */
export function expected(binding: Binding, method: string, root: string, jsonType: string, members: Record<string, unknown>): Answer {
  if (binding === 'json') {
    return { status: 200, type: 'application/json; charset=utf-8', body: JSON.stringify({ d: { __type: jsonType, ...members } }) };
  }
  const inner = xmlMembers(members);
  if (binding === 'soap') {
    return {
      status: 200,
      type: 'text/xml; charset=utf-8',
      body:
        `${XML_DECL}<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
        `<soap:Body><${method}Response xmlns="${IM_NS}"><${method}Result>${inner}</${method}Result></${method}Response></soap:Body></soap:Envelope>`,
    };
  }
  return { status: 200, type: 'text/xml; charset=utf-8', body: `${XML_DECL}<${root} xmlns="${IM_NS}">${inner}</${root}>` };
}

function xmlMembers(members: Record<string, unknown>): string {
  return Object.entries(members)
    .filter(([name, value]) => name !== '__type' && value !== undefined)
    .map(([name, value]) => {
      if (value === null || value === '') return `<${name}></${name}>`;
      if (typeof value === 'object') return `<${name}>${xmlMembers(value as Record<string, unknown>)}</${name}>`;
      return `<${name}>${escapeXml(String(value))}</${name}>`;
    })
    .join('');
}

/** A member of an answer in any binding (the first element of that name, or the JSON member). */
export function memberOf(binding: Binding, answer: Answer, name: string): string | null {
  if (binding === 'json') {
    const d = (JSON.parse(answer.body) as { d: Record<string, unknown> }).d;
    const value = d[name];
    return value === null || value === undefined ? null : String(value);
  }
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(answer.body);
  return match?.[1] ?? null;
}
