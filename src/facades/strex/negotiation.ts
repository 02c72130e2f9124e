import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildXml, parseXml } from '../../kernel/xml.js';
import { BASIC_CHALLENGE } from './auth.js';
import { FAULT, StrexFault } from './faults.js';

export const TYPES_NS = 'http://directpay.intele.com/v1/types';
export const FAULTS_NS = 'http://directpay.intele.com/v1/faults';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Response format from the Accept header alone, as the vendor documents it (the request
 * format comes from Content-Type, the response format from Accept) and as the reference
 * §17 fixes it: no Accept, or one naming neither JSON nor XML first, means JSON.
 */
export function wantsXml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  if (!accept) return false;
  const xmlAt = accept.search(/(application|text)\/xml/i);
  const jsonAt = accept.search(/application\/json/i);
  return xmlAt >= 0 && (jsonAt < 0 || xmlAt < jsonAt);
}

/** Sends a response object as JSON, or as XML under the root element typeName. */
export function sendBody(request: FastifyRequest, reply: FastifyReply, typeName: string, body: Record<string, unknown>) {
  if (!wantsXml(request)) return reply.send(body);
  const hasNil = Object.values(body).some((value) => value === null);
  const namespaces = hasNil ? { '@xmlns': TYPES_NS, '@xmlns:i': XSI_NS } : { '@xmlns': TYPES_NS };
  const xml = buildXml({ [typeName]: { ...namespaces, ...withNils(body) } });
  return reply.type('application/xml; charset=utf-8').send(xml);
}

/** A null member is written as DataContractSerializer writes it: an element with i:nil="true". */
function withNils(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).map(([name, value]) => [name, value === null ? { '@i:nil': 'true' } : value]));
}

export function sendFault(request: FastifyRequest, reply: FastifyReply, fault: StrexFault) {
  reply.code(fault.httpStatus).headers(fault.headers);
  if (fault.httpStatus === 401) reply.header('www-authenticate', BASIC_CHALLENGE);
  const body = { Code: fault.code, Description: fault.description };
  if (!wantsXml(request)) return reply.type('application/json; charset=utf-8').send(body);
  return reply.type('application/xml; charset=utf-8').send(buildXml(faultElement(fault)));
}

/** The DirectPaymentFault element in the faults namespace (a REST XML body, a SOAP fault's detail). */
export function faultElement(fault: StrexFault): Record<string, unknown> {
  return { DirectPaymentFault: { '@xmlns': FAULTS_NS, '@xmlns:i': XSI_NS, Code: fault.code, Description: fault.description } };
}

/** Nesting beyond any Strex request type; deeper values are left as they are for the schema to judge. */
const MAX_NULL_STRIP_DEPTH = 8;

/** Drops null members of objects (an absent optional, as WCF and Jackson clients write it). */
export function withoutNulls(value: unknown, depth = 0): unknown {
  if (depth >= MAX_NULL_STRIP_DEPTH || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const kept: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    if (member !== null) kept[name] = withoutNulls(member, depth + 1);
  }
  return kept;
}

/** Parses an XML request body: the root element (e.g. PaymentRequest) holds the members. */
export function parseXmlBody(text: string): Record<string, unknown> {
  try {
    const document = parseXml(text, MAX_BODY_BYTES);
    const roots = Object.values(document);
    const root = roots[0];
    if (roots.length !== 1 || !root || typeof root !== 'object') throw new Error('expected one root element');
    return root as Record<string, unknown>;
  } catch (error) {
    throw new StrexFault(FAULT.Validation, `Invalid XML body: ${(error as Error).message}`);
  }
}
