import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import { buildXml } from '../../kernel/xml.js';
import type { FrameworkErrorRoutes } from '../shared/framework-errors.js';
import { readWireInput } from '../shared/wire-input.js';
import { BindingError, type FaultPolicy } from './errors.js';
import { type AnyOperation, operationTable } from './operation.js';
import { declarePrincipal, principalOf, setPrincipal } from './principal.js';
import { parseXmlDocument, XSI_NS } from './rest.js';

const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
const XML_TYPE = 'text/xml; charset=utf-8';
// SOAP 1.1 sends every fault with HTTP 500, whatever its cause (SOAP 1.1 §6.2).
const SOAP_FAULT_STATUS = 500;

/**
 * How the envelopes are written. WCF (basicHttpBinding): prefix s, no XML declaration,
 * the result's members in the data contracts' namespace under prefix a. ASMX: prefix soap
 * with xsi and xsd declared, an XML declaration, the result's members qualified in the
 * service namespace (elementFormDefault qualified), as ASP.NET web services write them.
 */
export type SoapStyle = { kind: 'wcf'; resultNamespace: string } | { kind: 'asmx' };

/** A request's operation and its request element's members, as the auth hook and the handler see them. */
export interface SoapCall<P> {
  readonly operation: AnyOperation<P>;
  readonly members: Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The operation and members of a SOAP request, read from its envelope before the auth hook. */
    soapCall: SoapCall<unknown> | null;
  }
}

export interface SoapFacade<P, F> {
  readonly style: SoapStyle;
  readonly serviceNamespace: string;
  readonly maxBodyBytes: number;
  readonly operations: readonly AnyOperation<P>[];
  readonly faults: FaultPolicy<F>;
  readonly frameworkFault: (error: FastifyError) => F;
  /** The children of soap:Fault for a fault (faultcode, faultstring, detail), in the facade's words. */
  readonly faultContent: (fault: F) => Record<string, unknown>;
  /**
   * A fault some services answer as an ordinary result (ASMX services that put Status and
   * Description in every answer): its result members, or null for a SOAP fault. Without
   * it every fault is a SOAP fault.
   */
  readonly faultResult?: (fault: F, operation: AnyOperation<P>) => Record<string, unknown> | null;
  /** The facade's auth hook, after the envelope is read: the principal, or a throw. */
  readonly authenticate: (request: FastifyRequest, call: SoapCall<P>) => Promise<P>;
  /** The WSDL with the given endpoint location. */
  readonly wsdl: (location: string) => string;
  /** Where the binding registers its answer to a URL Fastify cannot decode; absent when the plugin around it does (ASMX). */
  readonly frameworkErrors?: FrameworkErrorRoutes;
  readonly logLabel: string;
}

/**
 * The SOAP 1.1 binding (document/literal wrapped) in a facade's encapsulated plugin,
 * mounted on the endpoint's path: GET ?wsdl (and ?singleWsdl) serves the WSDL, POST takes
 * an envelope whose Body's one child names the operation. The request element's members
 * are read by the shared wire-input hygiene along the operation's input schema.
 */
export function soapBinding<P, F>(app: FastifyInstance, facade: SoapFacade<P, F>): void {
  const table = operationTable(facade.operations);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: facade.maxBodyBytes }, (_request, body, done) => done(null, body));
  declarePrincipal(app);
  app.decorateRequest('soapCall', null);
  const sendFault = (reply: FastifyReply, fault: F) =>
    reply.code(SOAP_FAULT_STATUS).type(XML_TYPE).send(envelope(facade.style, { Fault: facade.faultContent(fault) }));
  const logUnexpected = (error: unknown) => app.log.error({ err: error }, facade.logLabel);
  app.setErrorHandler((error, request, reply) => {
    const fault = facade.faults(error, request, logUnexpected);
    const operation = request.soapCall?.operation as AnyOperation<P> | undefined;
    const result = operation && facade.faultResult ? facade.faultResult(fault, operation) : null;
    if (!operation || !result) return sendFault(reply, fault);
    return reply.type(XML_TYPE).send(responseEnvelope(facade.style, facade.serviceNamespace, operation, result));
  });
  facade.frameworkErrors?.register(app.prefix, (error, _request, reply) => sendFault(reply, facade.frameworkFault(error)));

  app.get('/', async (request, reply) => {
    const query = Object.keys((request.query ?? {}) as object).map((key) => key.toLowerCase());
    if (!query.includes('wsdl') && !query.includes('singlewsdl')) {
      return reply.code(404).type('text/plain').send('Append ?wsdl for the service description');
    }
    return reply.type(XML_TYPE).send(facade.wsdl(endpointUrl(request)));
  });

  const readEnvelope = async (request: FastifyRequest, reply: FastifyReply) => {
    // SOAP 1.2 is a different protocol; WCF's basicHttpBinding and ASMX refuse it the same way.
    if (/^application\/soap\+xml/i.test(request.headers['content-type'] ?? '')) {
      return reply.code(415).type('text/plain; charset=utf-8').send(`Cannot process ${request.headers['content-type']}: this endpoint speaks SOAP 1.1 (text/xml)`);
    }
    const call = parseEnvelope(String(request.body ?? ''), facade.maxBodyBytes, table);
    checkSoapAction(request, call.operation.name);
    request.soapCall = call;
    setPrincipal(request, await facade.authenticate(request, call));
  };
  app.post('/', { preHandler: readEnvelope }, async (request, reply) => {
    const call = request.soapCall as SoapCall<P>;
    const input = readMembers(call.operation.input, call.members, call.operation.name);
    const result = (await call.operation.handle(principalOf<P>(request), input)) as Record<string, unknown> | undefined;
    return reply.type(XML_TYPE).send(responseEnvelope(facade.style, facade.serviceNamespace, call.operation, result ?? null));
  });
}

function parseEnvelope<P>(text: string, maxBodyBytes: number, table: ReadonlyMap<string, AnyOperation<P>>): SoapCall<P> {
  const document = parseXmlDocument(text, maxBodyBytes);
  const body = (document.Envelope as Record<string, unknown> | undefined)?.Body;
  if (!body || typeof body !== 'object') throw new BindingError({ kind: 'not_an_envelope' });
  const [name, ...others] = Object.keys(body);
  // The same element twice parses as one name holding an array: that is two operations too.
  if (!name || others.length > 0 || Array.isArray((body as Record<string, unknown>)[name])) throw new BindingError({ kind: 'not_one_operation' });
  // SOAP element names are case-sensitive: the table's case-insensitive key must be the name itself.
  const operation = table.get(name.toLowerCase());
  if (!operation || operation.name !== name) throw new BindingError({ kind: 'unknown_operation', name });
  const members = (body as Record<string, unknown>)[name];
  return { operation, members: members && typeof members === 'object' ? (members as Record<string, unknown>) : {} };
}

/**
 * Reads a request element's members (or one of them, such as credentials) with the
 * shared wire-input hygiene: XML leaves are strings, read as the REST bindings read
 * theirs; a repeated element's container becomes an array first.
 */
export function readMembers<T extends TSchema>(schema: T, members: unknown, where: string) {
  const result = readWireInput(schema, holdsArrays(schema) ? withArrays(schema, members) : members);
  if (!result.ok) throw new BindingError({ kind: 'invalid_input', path: `${where}${result.error.path}`, reason: result.error.reason });
  return result.value;
}

/** Nesting beyond any vendor request type; deeper input is left for the schema check to refuse. */
const MAX_ARRAY_DEPTH = 8;

const arraySchemas = new WeakMap<TSchema, boolean>();

/** Whether a schema has an array anywhere (worked out once per schema). */
function holdsArrays(schema: TSchema, depth = 0): boolean {
  const known = arraySchemas.get(schema);
  if (known !== undefined) return known;
  const walked = schema as { type?: string; properties?: Record<string, TSchema> };
  const holds =
    walked.type === 'array' || (depth < MAX_ARRAY_DEPTH && Object.values(walked.properties ?? {}).some((member) => holdsArrays(member, depth + 1)));
  arraySchemas.set(schema, holds);
  return holds;
}

/** `<List><Item>…</Item><Item>…</Item></List>` parses as {Item: [..]} (one item: {Item: {..}}); an array schema wants the items. */
function withArrays(schema: TSchema, value: unknown, depth = 0): unknown {
  const walked = schema as { type?: string; properties?: Record<string, TSchema>; items?: TSchema };
  if (depth > MAX_ARRAY_DEPTH) return value;
  if (walked.type === 'array' && walked.items) {
    if (value === '') return [];
    if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
    const children = Object.values(value);
    if (children.length !== 1) return value;
    const items = Array.isArray(children[0]) ? children[0] : [children[0]];
    return items.map((item) => withArrays(walked.items as TSchema, item, depth + 1));
  }
  if (walked.type === 'object' && walked.properties && value && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const converted: Record<string, unknown> = { ...record };
    for (const [name, member] of Object.entries(walked.properties)) {
      if (Object.hasOwn(record, name)) converted[name] = withArrays(member, record[name], depth + 1);
    }
    return converted;
  }
  return value;
}

/**
 * A SOAPAction, when sent, must name the operation of the body. Only its last segment
 * counts: a service may never have published its action namespace (Strex, reference §8),
 * so a client built from another WSDL (e.g. http://tempuri.org/IDirectPaymentService/Pay) must work too.
 */
function checkSoapAction(request: FastifyRequest, operation: string): void {
  const header = request.headers.soapaction;
  const action = (Array.isArray(header) ? header[0] : header)?.replace(/^"|"$/g, '');
  if (!action) return;
  if (action.slice(action.lastIndexOf('/') + 1) !== operation) throw new BindingError({ kind: 'action_mismatch', action, operation });
}

/** `{Operation}Response{ {Operation}Result{…} }` in the style's namespaces. */
function responseEnvelope(style: SoapStyle, serviceNamespace: string, operation: AnyOperation<unknown>, result: Record<string, unknown> | null): string {
  const name = operation.name;
  if (!result) return envelope(style, { [`${name}Response`]: { '@xmlns': serviceNamespace } });
  const resultElement =
    style.kind === 'wcf'
      ? { '@xmlns:a': style.resultNamespace, '@xmlns:i': XSI_NS, ...prefixed('a', withNils(result)) }
      : asmxMembers(result);
  return envelope(style, { [`${name}Response`]: { '@xmlns': serviceNamespace, [`${name}Result`]: resultElement } });
}

function envelope(style: SoapStyle, body: Record<string, unknown>): string {
  if (style.kind === 'wcf') return buildXml({ 's:Envelope': { '@xmlns:s': SOAP_ENV_NS, 's:Body': prefixed('s', body, ['Fault']) } });
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    buildXml({ 'soap:Envelope': { '@xmlns:soap': SOAP_ENV_NS, '@xmlns:xsi': XSI_NS, '@xmlns:xsd': XSD_NS, 'soap:Body': prefixed('soap', body, ['Fault']) } })
  );
}

/** Members under a prefix (all of them, or only those named). */
function prefixed(prefix: string, members: Record<string, unknown>, only?: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(members).map(([name, value]) => [only && !only.includes(name) ? name : `${prefix}:${name}`, value]),
  );
}

/** A null member as DataContractSerializer writes one: an element with i:nil="true". */
function withNils(members: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(members).map(([name, value]) => [name, value === null ? { '@i:nil': 'true' } : value]));
}

/** Nesting beyond any vendor answer; deeper values are written as they are. */
const MAX_ANSWER_DEPTH = 8;

/** Members as an ASMX service writes them (XmlSerializer): a null is an empty element. */
export function asmxMembers(members: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const written: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(members)) {
    if (value !== undefined) written[name] = asmxValue(value, depth + 1);
  }
  return written;
}

function asmxValue(value: unknown, depth: number): unknown {
  if (value === null) return '';
  if (Array.isArray(value)) return value.map((item) => asmxValue(item, depth + 1));
  if (depth >= MAX_ANSWER_DEPTH || typeof value !== 'object') return value;
  return asmxMembers(value as Record<string, unknown>, depth);
}

/** Where clients should send requests: this host, this path, without the query. */
function endpointUrl(request: FastifyRequest): string {
  const host = request.headers.host ?? 'localhost';
  const path = request.url.split('?')[0] ?? '/';
  return `${request.protocol}://${host}${path.replace(/\/$/, '')}`;
}
