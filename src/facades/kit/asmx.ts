import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TObject, TSchema } from 'typebox';
import { assert } from '../../kernel/assert.js';
import { buildXml } from '../../kernel/xml.js';
import type { FrameworkErrorRoutes } from '../shared/framework-errors.js';
import { BindingError, type FaultPolicy } from './errors.js';
import { type AnyOperation, contractName, operationTable, type WireAnnotations } from './operation.js';
import { declarePrincipal, principalOf, setPrincipal } from './principal.js';
import { asmxMembers, readMembers, type SoapCall, soapBinding } from './soap.js';
import { asmxWsdl } from './wsdl-asmx.js';

/** Which ASP.NET web-service protocols a method answers (ASMX enables them per service; some methods are SOAP only). */
export interface AsmxProtocols {
  readonly httpGet: boolean;
  readonly httpPost: boolean;
  readonly json: boolean;
}

export interface AsmxMethod<P> {
  readonly operation: AnyOperation<P>;
  readonly protocols: AsmxProtocols;
}

/** An answer over HTTP GET, POST form or JSON: its status and its members, under a root (XML) or a __type (JSON). */
export interface AsmxAnswer {
  readonly status: number;
  /** The bare XML answer's root element. */
  readonly root: string;
  /** The JSON answer's d.__type. */
  readonly jsonType: string;
  readonly members: Record<string, unknown>;
}

export interface AsmxFacade<P, F> {
  /** The service namespace: bare XML answers' and SOAP elements' default namespace; SOAPActions are {namespace}/{Method}. */
  readonly serviceNamespace: string;
  /** The service name the WSDL declares (its portType and binding are {name}Soap). */
  readonly serviceName: string;
  readonly maxBodyBytes: number;
  readonly methods: readonly AsmxMethod<P>[];
  /** Members every method takes after its own (Infomedia: U and P), read by the auth hook. */
  readonly credentials: TObject;
  readonly faults: FaultPolicy<F>;
  readonly frameworkFault: (error: FastifyError) => F;
  /** A fault over GET, POST form or JSON; method is null when the URL named none of the methods. */
  readonly faultAnswer: (fault: F, method: AnyOperation<P> | null) => AsmxAnswer;
  /** The children of soap:Fault, for faults a SOAP request meets. */
  readonly soapFaultContent: (fault: F) => Record<string, unknown>;
  /** The facade's auth hook: the principal for the credentials read along `credentials`, or a throw. */
  readonly authenticate: (request: FastifyRequest, credentials: Record<string, unknown>, operation: AnyOperation<P>) => Promise<P>;
  readonly frameworkErrors: FrameworkErrorRoutes;
  readonly logLabel: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The method an ASMX GET/POST/JSON request names and its parameters, resolved before the auth hook. */
    asmxCall: { method: AsmxMethod<unknown>; parameters: Record<string, unknown> } | null;
  }
}

/** More parameters than any ASMX method takes, with room for unknown ones; more is refused before any is read. */
export const MAX_ASMX_PARAMETERS = 64;
const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * The bindings of an ASP.NET ASMX web service on its .asmx path: SOAP 1.1 on the path
 * itself (WSDL at ?wsdl, ASMX-style envelopes), and per method `/{Method}` over HTTP GET
 * (query), HTTP POST (form) with a bare XML answer, and POST with a JSON body answered as
 * `{"d":{"__type":…}}`. Method and parameter names match case-insensitively, as ASP.NET
 * matches them. All input goes through the shared wire-input hygiene.
 */
export async function asmxBinding<P, F>(app: FastifyInstance, facade: AsmxFacade<P, F>): Promise<void> {
  const operations = facade.methods.map((method) => method.operation);
  const wsdl = asmxWsdl({ serviceName: facade.serviceName, namespace: facade.serviceNamespace, credentials: facade.credentials, operations });
  const logUnexpected = (error: unknown) => app.log.error({ err: error }, facade.logLabel);
  await app.register(async (soap) =>
    soapBinding<P, F>(soap, {
      style: { kind: 'asmx' },
      serviceNamespace: facade.serviceNamespace,
      maxBodyBytes: facade.maxBodyBytes,
      operations,
      faults: facade.faults,
      frameworkFault: facade.frameworkFault,
      faultContent: facade.soapFaultContent,
      // A fault answered with HTTP 200 over GET/POST/JSON is an ordinary result over SOAP too.
      faultResult: (fault, operation) => {
        const answer = facade.faultAnswer(fault, operation);
        return answer.status === 200 ? answer.members : null;
      },
      authenticate: (request, call: SoapCall<P>) =>
        facade.authenticate(request, readMembers(facade.credentials, call.members, call.operation.name), call.operation),
      wsdl,
      logLabel: facade.logLabel,
    }),
  );
  await app.register(async (methods) => methodRoutes(methods, facade, logUnexpected));
  facade.frameworkErrors.register(app.prefix, (error, request, reply) =>
    sendAnswer(request, reply, facade.serviceNamespace, facade.faultAnswer(facade.frameworkFault(error), null)),
  );
}

function methodRoutes<P, F>(app: FastifyInstance, facade: AsmxFacade<P, F>, logUnexpected: (error: unknown) => void): void {
  const table = operationTable(facade.methods.map((method) => method.operation));
  const byName = new Map(facade.methods.map((method) => [method.operation.name.toLowerCase(), method]));
  const names = new Map(facade.methods.map((method) => [method.operation.name, parameterNames(method.operation.input, facade.credentials)]));
  assert(table.size === byName.size, 'one method per operation');
  installParsers(app, facade.maxBodyBytes);
  declarePrincipal(app);
  app.decorateRequest('asmxCall', null);
  const send = (request: FastifyRequest, reply: FastifyReply, answer: AsmxAnswer, output: TObject | null = null) =>
    sendAnswer(request, reply, facade.serviceNamespace, answer, output);
  app.setErrorHandler((error, request, reply) => {
    const fault = facade.faults(error, request, logUnexpected);
    return send(request, reply, facade.faultAnswer(fault, (request.asmxCall?.method.operation as AnyOperation<P> | undefined) ?? null));
  });

  // The credentials alone are read for the auth hook; the handler reads every parameter, these too.
  const credentialNames = Object.keys(facade.credentials.properties);
  const credentialsOf = (parameters: Record<string, unknown>) =>
    Object.fromEntries(credentialNames.filter((name) => Object.hasOwn(parameters, name)).map((name) => [name, parameters[name]]));

  // The method, its protocol and the credentials, before the handler: a stranger learns nothing of the parameters.
  const resolve = async (request: FastifyRequest) => {
    const name = (request.params as { method: string }).method;
    const method = byName.get(name.toLowerCase());
    if (!method) throw new BindingError({ kind: 'unknown_operation', name });
    // A method this protocol does not serve is unknown to it, but the answer is still the method's.
    request.asmxCall = { method: method as AsmxMethod<unknown>, parameters: {} };
    if (!protocolAllowed(method.protocols, request)) throw new BindingError({ kind: 'unknown_operation', name });
    const parameters = canonical(parametersOf(request), names.get(method.operation.name) ?? new Map());
    request.asmxCall = { method: method as AsmxMethod<unknown>, parameters };
    setPrincipal(request, await facade.authenticate(request, readMembers(facade.credentials, credentialsOf(parameters), method.operation.name), method.operation));
  };
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const { method, parameters } = request.asmxCall as { method: AsmxMethod<P>; parameters: Record<string, unknown> };
    const input = readMembers(method.operation.input, parameters, method.operation.name);
    const result = (await method.operation.handle(principalOf<P>(request), input)) as Record<string, unknown> | undefined;
    const output = method.operation.output as TObject | null;
    const root = output ? (contractName(output) ?? method.operation.name) : method.operation.name;
    const jsonType = output ? ((output as WireAnnotations).jsonType ?? root) : root;
    return send(request, reply, { status: 200, root, jsonType, members: result ?? {} }, output);
  };
  app.get('/:method', { preHandler: resolve }, handler);
  app.post('/:method', { preHandler: resolve }, handler);
}

function protocolAllowed(protocols: AsmxProtocols, request: FastifyRequest): boolean {
  if (request.method === 'GET') return protocols.httpGet;
  return isJson(request) ? protocols.json : protocols.httpPost;
}

function isJson(request: FastifyRequest): boolean {
  return /^application\/json/i.test(request.headers['content-type'] ?? '');
}

function parametersOf(request: FastifyRequest): Record<string, unknown> {
  const given = request.method === 'GET' ? request.query : request.body;
  if (given === undefined || given === null) return {};
  if (typeof given !== 'object' || Array.isArray(given)) throw new BindingError({ kind: 'invalid_input', path: '', reason: 'must be object' });
  return given as Record<string, unknown>;
}

/** Lower-cased parameter name → declared name, the method's own and the credentials'. */
function parameterNames(input: TObject, credentials: TObject): Map<string, string> {
  const names = new Map<string, string>();
  for (const name of [...Object.keys(input.properties), ...Object.keys(credentials.properties)]) {
    assert(!names.has(name.toLowerCase()) || names.get(name.toLowerCase()) === name, `parameters differing in case only: ${name}`);
    names.set(name.toLowerCase(), name);
  }
  return names;
}

/** Parameters under their declared names, however the client cased them; one given twice (mx and MX) is refused. */
function canonical(parameters: Record<string, unknown>, names: ReadonlyMap<string, string>): Record<string, unknown> {
  const entries = Object.entries(parameters);
  if (entries.length > MAX_ASMX_PARAMETERS) throw new BindingError({ kind: 'invalid_input', path: '', reason: `must not have more than ${MAX_ASMX_PARAMETERS} parameters` });
  const result: Record<string, unknown> = {};
  for (const [given, value] of entries) {
    const name = names.get(given.toLowerCase()) ?? given;
    if (Object.hasOwn(result, name)) throw new BindingError({ kind: 'invalid_input', path: `/${name}`, reason: 'must not be given twice' });
    result[name] = value;
  }
  return result;
}

/**
 * A form body is read with URLSearchParams (repeated names become an array, which no
 * string parameter reads as); a JSON body with Fastify's own parser, which refuses
 * prototype poisoning. Both bounded by maxBodyBytes.
 */
function installParsers(app: FastifyInstance, maxBodyBytes: number): void {
  app.addContentTypeParser(FORM_TYPE, { parseAs: 'string', bodyLimit: maxBodyBytes }, (_request, body, done) => {
    const form: Record<string, string | string[]> = {};
    let count = 0;
    for (const [name, value] of new URLSearchParams(String(body))) {
      if (++count > MAX_ASMX_PARAMETERS) return done(new BindingError({ kind: 'invalid_input', path: '', reason: `must not have more than ${MAX_ASMX_PARAMETERS} parameters` }), undefined);
      const before = form[name];
      form[name] = before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
    }
    done(null, form);
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: maxBodyBytes }, (request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    parseJson(request, text, done);
  });
}

/** An answer in the format the request asked for: JSON for a JSON request, bare XML otherwise. */
function sendAnswer(request: FastifyRequest, reply: FastifyReply, namespace: string, answer: AsmxAnswer, output: TSchema | null = null): FastifyReply {
  reply.code(answer.status);
  if (request.method === 'POST' && isJson(request)) {
    const d = { __type: answer.jsonType, ...withJsonTypes(output, answer.members) };
    return reply.type('application/json; charset=utf-8').send(JSON.stringify({ d }));
  }
  const xml = buildXml({ [answer.root]: { '@xmlns': namespace, ...asmxMembers(answer.members) } });
  return reply.type('text/xml; charset=utf-8').send(`<?xml version="1.0" encoding="utf-8"?>${xml}`);
}

/** Nesting beyond any vendor answer; deeper objects are written without __type. */
const MAX_JSON_TYPE_DEPTH = 8;

/** Nested contracts with a JSON type name carry their own __type (ASP.NET's JavaScriptSerializer writes one per object). */
function withJsonTypes(schema: TSchema | null, members: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const properties = (schema as { properties?: Record<string, TSchema> } | null)?.properties;
  if (!properties || depth > MAX_JSON_TYPE_DEPTH) return members;
  const written: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(members)) {
    const member = properties[name] as (TSchema & WireAnnotations) | undefined;
    const jsonType = member?.jsonType;
    written[name] =
      jsonType && value && typeof value === 'object' && !Array.isArray(value)
        ? { __type: jsonType, ...withJsonTypes(member, value as Record<string, unknown>, depth + 1) }
        : value;
  }
  return written;
}
