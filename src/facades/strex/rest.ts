import type { FastifyError, FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Static } from 'typebox';
import type { PasswordAuthenticator } from '../../core/merchants/authentication.js';
import type { Platform, ServiceContext } from '../../core/merchants/types.js';
import type { PreAuthorizationService } from '../../core/preauthorization/service.js';
import type { PaymentService } from '../../core/payments/service.js';
import type { SubscriberInfoService } from '../../core/subscribers/service.js';
import type { VerificationService } from '../../core/verification/service.js';
import type { FrameworkErrorRoutes } from '../shared/framework-errors.js';
import { wireInputValidatorCompiler } from '../shared/wire-validator.js';
import { authenticateRest, authenticatedService as service, platformOf } from './auth.js';
import { registerPreAuthorizeRoute } from './preauthorize.js';
import { FAULT, frameworkFault, StrexFault } from './faults.js';
import { pay, paymentStatus, reversePayment } from './operations.js';
import { registerUserInfoRoutes } from './userinfo.js';
import { registerVerificationRoutes } from './verification.js';
import { MAX_BODY_BYTES, parseXmlBody, sendBody, sendFault, withoutNulls } from './negotiation.js';
import {
  faultResponses,
  PaymentParams,
  PaymentRequest,
  PaymentResponse,
  PaymentStatusResponse,
  ReversePaymentResponse,
  ServiceParams,
} from './wire.js';

export interface StrexFacadeDeps {
  authenticator: PasswordAuthenticator;
  payments: PaymentService;
  subscribers: SubscriberInfoService;
  verification: VerificationService;
  preauthorization: PreAuthorizationService;
  /** Where each Strex plugin registers the answer to a URL Fastify cannot decode under its prefix. */
  frameworkErrors: FrameworkErrorRoutes;
}

declare module 'fastify' {
  interface FastifyRequest {
    strexService?: ServiceContext;
  }
  interface FastifyContextConfig {
    /** The route answers without service credentials. */
    anonymous?: boolean;
    /** The service's platform is the one the :platform path parameter names (PreAuthorize). */
    platformFromPath?: boolean;
  }
}


/** Strex Direct Payment REST interface, mounted at /restV1.svc. */
export const strexRestPlugin: FastifyPluginAsync<StrexFacadeDeps> = async (app, deps) => {
  // Fastify's own JSON parser (it refuses prototype poisoning), but an empty body is no
  // body (clients that set Content-Type on every request set it on DELETE and GET too),
  // and a null member is an absent one (WCF and Jackson clients write null optionals).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, (error, parsed) => (error ? done(error, undefined) : done(null, withoutNulls(parsed))));
  });
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => {
    try {
      done(null, parseXmlBody(String(body)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  // Params, query strings and bodies are read by the shared wire-input hygiene, not by
  // Ajv: Ajv's coercion charged "0x3E8", "1e3" and [1000] as 1000 øre (decisions §28).
  app.setValidatorCompiler(wireInputValidatorCompiler);
  app.setErrorHandler((error: FastifyError, request, reply) => sendFault(request, reply, toFault(app, error)));
  deps.frameworkErrors.register(app.prefix, (error, request, reply) => sendFault(request, reply, frameworkFault(error)));
  // Fastify's 404 router ignores caseSensitive: false, so unknown operations are a route here.
  const noSuchOperation = async () => {
    throw new StrexFault(FAULT.NotFound, 'No such operation');
  };
  app.setNotFoundHandler((request, reply) => sendFault(request, reply, new StrexFault(FAULT.NotFound, 'No such operation')));
  app.all('/*', { config: { anonymous: true } }, noSuchOperation);
  // Credentials are checked before the body is even parsed: a stranger learns nothing of the schema.
  app.addHook('onRequest', async (request) => {
    if (request.is404 || request.routeOptions.config.anonymous) return;
    let platform: Platform = 'directpay';
    if (request.routeOptions.config.platformFromPath) {
      platform = platformOf((request.params as { platform?: string }).platform) ?? invalidPlatform();
    }
    request.strexService = await authenticateRest(deps.authenticator, request, platform);
  });

  app.post<{ Params: Static<typeof ServiceParams>; Body: Static<typeof PaymentRequest> }>(
    '/service/:serviceId/pay',
    { schema: { params: ServiceParams, body: PaymentRequest, response: { 200: PaymentResponse, ...faultResponses } } },
    async (request, reply) =>
      sendBody(request, reply, 'PaymentResponse', await pay(deps.payments, service(request), request.body.PaymentDetails)),
  );

  registerUserInfoRoutes(app, deps.subscribers);
  registerVerificationRoutes(app, deps.verification);
  registerPreAuthorizeRoute(app, deps.preauthorization);

  app.delete<{ Params: Static<typeof PaymentParams> }>(
    '/service/:serviceId/pay/:reference',
    { schema: { params: PaymentParams, response: { 200: ReversePaymentResponse, ...faultResponses } } },
    async (request, reply) =>
      sendBody(request, reply, 'ReversePaymentResponse', await reversePayment(deps.payments, service(request), request.params.reference)),
  );

  app.get<{ Params: Static<typeof PaymentParams> }>(
    '/service/:serviceId/pay/:reference',
    { schema: { params: PaymentParams, response: { 200: PaymentStatusResponse, ...faultResponses } } },
    async (request, reply) =>
      sendBody(request, reply, 'PaymentStatusResponse', await paymentStatus(deps.payments, service(request), request.params.reference)),
  );
};

function invalidPlatform(): never {
  throw new StrexFault(FAULT.Validation, 'Invalid platform: use 0 (directpay) or 1 (sms)');
}

/** Every error leaves as a DirectPaymentFault: never a stack trace, never Fastify's own body. */
function toFault(app: FastifyInstance, error: FastifyError): StrexFault {
  if (error instanceof StrexFault) return error;
  if (error.validation) return new StrexFault(FAULT.Validation, `Invalid request: ${error.message}`);
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new StrexFault(FAULT.Validation, `Invalid request: ${error.message}`);
  app.log.error({ err: error }, 'strex request failed');
  return new StrexFault(FAULT.Internal, 'Internal server error');
}
