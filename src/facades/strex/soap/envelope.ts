import { buildXml, parseXml } from '../../../kernel/xml.js';
import { FAULT, StrexFault } from '../faults.js';
import { faultElement, MAX_BODY_BYTES, TYPES_NS, XSI_NS } from '../negotiation.js';
import { OPERATIONS, type OperationName, SERVICE_NS } from './wsdl.js';

const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const WEB_FAULT_NS = 'http://schemas.microsoft.com/2009/WebFault';

export interface SoapRequest {
  operation: OperationName;
  members: Record<string, unknown>;
}

/** Reads a SOAP 1.1 envelope: the operation is the Body's one child element. */
export function parseEnvelope(text: string): SoapRequest {
  let document: Record<string, unknown>;
  try {
    document = parseXml(text, MAX_BODY_BYTES);
  } catch (error) {
    throw new StrexFault(FAULT.Validation, `Invalid XML body: ${(error as Error).message}`);
  }
  const body = (document.Envelope as Record<string, unknown> | undefined)?.Body;
  if (!body || typeof body !== 'object') throw new StrexFault(FAULT.Validation, 'Not a SOAP 1.1 envelope with a Body');
  const [name, ...others] = Object.keys(body);
  if (!name || others.length > 0) throw new StrexFault(FAULT.Validation, 'The SOAP Body must hold exactly one operation');
  if (!Object.hasOwn(OPERATIONS, name)) throw new StrexFault(FAULT.NotFound, `No such operation ${name}`);
  const members = (body as Record<string, unknown>)[name];
  return { operation: name as OperationName, members: members && typeof members === 'object' ? (members as Record<string, unknown>) : {} };
}

/** `{Operation}Response{ {Operation}Result{…} }`, the result's members in the types namespace. */
export function responseEnvelope(operation: OperationName, result: Record<string, unknown> | null): string {
  const resultElement = result
    ? { [`${operation}Result`]: { '@xmlns:a': TYPES_NS, '@xmlns:i': XSI_NS, ...prefixed('a', result) } }
    : {};
  return envelope({ [`${operation}Response`]: { '@xmlns': SERVICE_NS, ...resultElement } });
}

const WEB_FAULT_NAMES: Record<number, [string, string]> = {
  400: ['BadRequest', 'Bad Request'],
  401: ['Unauthorized', 'Unauthorized'],
  403: ['Forbidden', 'Forbidden'],
  404: ['NotFound', 'Not Found'],
  424: ['FailedDependency', 'Failed Dependency'],
  500: ['InternalServerError', 'Internal Server Error'],
};

/** A SOAP fault as the vendor's WCF service writes it, with the DirectPaymentFault as detail. */
export function faultEnvelope(fault: StrexFault): string {
  const [code, text] = WEB_FAULT_NAMES[fault.httpStatus] ?? ['InternalServerError', 'Internal Server Error'];
  return envelope({
    's:Fault': {
      faultcode: { '@xmlns:a': WEB_FAULT_NS, '#text': `a:${code}` },
      faultstring: { '@xml:lang': 'nb-NO', '#text': text },
      detail: faultElement(fault),
    },
  });
}

function envelope(body: Record<string, unknown>): string {
  return buildXml({ 's:Envelope': { '@xmlns:s': SOAP_ENV_NS, 's:Body': body } });
}

function prefixed(prefix: string, members: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(members).map(([name, value]) => [`${prefix}:${name}`, value]));
}
