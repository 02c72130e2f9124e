import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Static, TObject, TSchema } from 'typebox';
import { buildXml, parseXml } from '../../kernel/xml.js';
import type { FrameworkErrorHandler, FrameworkErrorRoutes } from '../shared/framework-errors.js';
import { wireInputValidatorCompiler } from '../shared/wire-validator.js';
import { BindingError, type FaultPolicy } from './errors.js';
import { type AnyOperation, contractName } from './operation.js';
import { declarePrincipal, principalOf, setPrincipal } from './principal.js';

export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers without credentials (the facade's own "no such operation" route). */
    anonymous?: boolean;
  }
}

/** How one facade speaks REST: its XML namespace, its faults, its authentication. */
export interface RestFacade<P, F> {
  /** The default namespace of XML bodies (answers carry it on their root). */
  readonly xmlNamespace: string;
  readonly maxBodyBytes: number;
  /** The response schemas of the facade's faults, by HTTP status (fast JSON serialisation). */
  readonly faultResponses: Readonly<Record<number, TSchema>>;
  readonly faults: FaultPolicy<F>;
  /** The answer to a URL Fastify could not decode (see FrameworkErrorRoutes). */
  readonly frameworkFault: (error: FastifyError) => F;
  readonly sendFault: (request: FastifyRequest, reply: FastifyReply, fault: F) => FastifyReply;
  /** The facade's auth hook: the principal of the request, or a throw (its fault policy answers). */
  readonly authenticate: (request: FastifyRequest) => Promise<P>;
  readonly frameworkErrors: FrameworkErrorRoutes;
  /** What an unexpected error is logged as. */
  readonly logLabel: string;
}

/** Request parts, read by the shared wire-input hygiene along the route's schemas. */
export interface RestParts<Pa extends TSchema, Q extends TSchema, B extends TSchema> {
  params: Static<Pa>;
  query: Static<Q>;
  body: Static<B>;
}

/** One REST route of an operation: where it is, what schemas its parts have, how they make its input. */
export interface RestRoute<In extends TObject, Pa extends TSchema, Q extends TSchema, B extends TSchema> {
  readonly method: Extract<HTTPMethods, 'GET' | 'POST' | 'DELETE'>;
  readonly url: string;
  readonly params?: Pa;
  readonly querystring?: Q;
  readonly body?: B;
  readonly config?: Record<string, unknown>;
  /** The operation's input from the parts; without it the body is the input. */
  readonly input?: (parts: RestParts<Pa, Q, B>) => Static<In>;
}

/**
 * The REST JSON/XML binding in a facade's encapsulated plugin: the request format comes
 * from Content-Type, the answer's from Accept alone (decisions §2); params, query strings
 * and bodies are read by the shared wire-input hygiene, not Ajv (decisions §28); every
 * error leaves through the facade's fault policy; credentials are checked in onRequest,
 * before the body is even parsed, so a stranger learns nothing of the schemas.
 */
export function restBinding<P, F>(app: FastifyInstance, facade: RestFacade<P, F>) {
  installBodyParsers(app, facade.maxBodyBytes);
  app.setValidatorCompiler(wireInputValidatorCompiler);
  declarePrincipal(app);
  const logUnexpected = (error: unknown) => app.log.error({ err: error }, facade.logLabel);
  app.setErrorHandler((error, request, reply) => facade.sendFault(request, reply, facade.faults(error, request, logUnexpected)));
  const onFrameworkError: FrameworkErrorHandler = (error, request, reply) => facade.sendFault(request, reply, facade.frameworkFault(error));
  facade.frameworkErrors.register(app.prefix, onFrameworkError);
  // Fastify's 404 router ignores caseSensitive: false, so unknown routes are a route here too.
  const noRoute = async () => {
    throw new BindingError({ kind: 'no_route' });
  };
  app.setNotFoundHandler(async (request, reply) => facade.sendFault(request, reply, facade.faults(new BindingError({ kind: 'no_route' }), request, logUnexpected)));
  app.all('/*', { config: { anonymous: true } }, noRoute);
  app.addHook('onRequest', async (request) => {
    if (request.is404 || request.routeOptions.config.anonymous) return;
    setPrincipal(request, await facade.authenticate(request));
  });

  const xmlOut = (typeName: string, body: Record<string, unknown>) => xmlBody(facade.xmlNamespace, typeName, body);
  return {
    route<In extends TObject, Out extends TObject | null, Pa extends TSchema, Q extends TSchema, B extends TSchema>(
      operation: AnyOperation<P> & { input: In; output: Out },
      route: RestRoute<In, Pa, Q, B>,
    ): void {
      const output: TObject | null = operation.output;
      const typeName = output === null ? null : (contractName(output) ?? operation.name);
      const inputOf = route.input ?? ((parts: RestParts<Pa, Q, B>) => parts.body as Static<In>);
      app.route({
        method: route.method,
        url: route.url,
        config: route.config ?? {},
        schema: {
          ...(route.params ? { params: route.params } : {}),
          ...(route.querystring ? { querystring: route.querystring } : {}),
          ...(route.body ? { body: route.body } : {}),
          response: output === null ? facade.faultResponses : { 200: output, ...facade.faultResponses },
        },
        handler: async (request, reply) => {
          const parts = { params: request.params, query: request.query, body: request.body } as RestParts<Pa, Q, B>;
          const result: unknown = await operation.handle(principalOf<P>(request), inputOf(parts));
          if (typeName === null) return reply.code(200).send();
          if (!wantsXml(request)) return reply.send(result);
          return reply.type('application/xml; charset=utf-8').send(xmlOut(typeName, result as Record<string, unknown>));
        },
      });
    },
  };
}

/**
 * Fastify's own JSON parser (it refuses prototype poisoning), but an empty body is no body
 * (clients that set Content-Type on every request set it on DELETE and GET too), and a
 * null member is an absent one (WCF and Jackson clients write null optionals). An XML
 * body's root element (e.g. PaymentRequest) holds the members.
 */
function installBodyParsers(app: FastifyInstance, maxBodyBytes: number): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: maxBodyBytes }, (request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, (error, parsed) => (error ? done(error, undefined) : done(null, withoutNulls(parsed))));
  });
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string', bodyLimit: maxBodyBytes }, (_request, body, done) => {
    try {
      done(null, parseXmlRoot(String(body), maxBodyBytes));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

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

/** A body under the root element typeName in the namespace; a null member as DataContractSerializer writes it (i:nil). */
function xmlBody(namespace: string, typeName: string, body: Record<string, unknown>): string {
  const hasNil = Object.values(body).some((value) => value === null);
  const namespaces = hasNil ? { '@xmlns': namespace, '@xmlns:i': XSI_NS } : { '@xmlns': namespace };
  return buildXml({ [typeName]: { ...namespaces, ...withNils(body) } });
}

function withNils(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).map(([name, value]) => [name, value === null ? { '@i:nil': 'true' } : value]));
}

/** Nesting beyond any vendor request type; deeper values are left as they are for the schema to judge. */
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

/** A bounded XML document, or a BindingError saying why not. */
export function parseXmlDocument(text: string, maxBodyBytes: number): Record<string, unknown> {
  try {
    return parseXml(text, maxBodyBytes);
  } catch (error) {
    throw new BindingError({ kind: 'malformed_xml', detail: (error as Error).message });
  }
}

function parseXmlRoot(text: string, maxBodyBytes: number): Record<string, unknown> {
  const document = parseXmlDocument(text, maxBodyBytes);
  const roots = Object.values(document);
  const root = roots[0];
  if (roots.length !== 1 || !root || typeof root !== 'object') throw new BindingError({ kind: 'malformed_xml', detail: 'expected one root element' });
  return root as Record<string, unknown>;
}
