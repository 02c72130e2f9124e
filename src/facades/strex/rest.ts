import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { PasswordAuthenticator } from '../../core/merchants/authentication.js';
import type { Platform, ServiceContext } from '../../core/merchants/types.js';
import type { PreAuthorizationService } from '../../core/preauthorization/service.js';
import type { PaymentService } from '../../core/payments/service.js';
import type { SubscriberInfoService } from '../../core/subscribers/service.js';
import type { VerificationService } from '../../core/verification/service.js';
import type { FrameworkErrorRoutes } from '../shared/framework-errors.js';
import { restBinding } from '../kit/rest.js';
import { authenticateRest, platformOf } from './auth.js';
import { strexFaults, sendRestFault } from './fault-policy.js';
import { FAULT, frameworkFault, StrexFault } from './faults.js';
import { paymentOperations, verificationOperations } from './operations.js';
import { preAuthorizeOperation } from './preauthorize.js';
import { userInfoOperations } from './userinfo.js';
import { faultResponses, MAX_BODY_BYTES, MsisdnParams, PaymentParams, PreAuthorizeParams, SaleQuery, ServiceParams, TYPES_NS } from './wire.js';

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
  interface FastifyContextConfig {
    /** The service's platform is the one the :platform path parameter names (PreAuthorize). */
    platformFromPath?: boolean;
  }
}

/** Strex Direct Payment REST interface, mounted at /restV1.svc: the Strex operations on their reference §17 routes. */
export const strexRestPlugin: FastifyPluginAsync<StrexFacadeDeps> = async (app, deps) => {
  const rest = restBinding<ServiceContext, StrexFault>(app, {
    xmlNamespace: TYPES_NS,
    maxBodyBytes: MAX_BODY_BYTES,
    faultResponses,
    faults: strexFaults,
    frameworkFault,
    sendFault: sendRestFault,
    authenticate: (request) => authenticateRest(deps.authenticator, request, platformOfRoute(request)),
    frameworkErrors: deps.frameworkErrors,
    logLabel: 'strex request failed',
  });
  const payments = paymentOperations(deps.payments);
  const verification = verificationOperations(deps.verification);
  const userInfo = userInfoOperations(deps.subscribers);

  rest.route(payments.pay, { method: 'POST', url: '/service/:serviceId/pay', params: ServiceParams, body: payments.pay.input });
  rest.route(payments.reversePayment, {
    method: 'DELETE',
    url: '/service/:serviceId/pay/:reference',
    params: PaymentParams,
    input: ({ params }) => ({ ReversePaymentDetails: { TransactionId: params.reference } }),
  });
  rest.route(payments.getPaymentStatus, {
    method: 'GET',
    url: '/service/:serviceId/pay/:reference',
    params: PaymentParams,
    input: ({ params }) => ({ ClientReference: params.reference }),
  });

  const msisdnRoute = '/service/:serviceId/msisdn/:msisdn';
  const msisdnOnly = ({ params }: { params: { msisdn: string } }) => ({ msisdn: params.msisdn });
  const withSale = ({ params, query }: { params: { msisdn: string }; query: object }) => ({ ...query, msisdn: params.msisdn });
  rest.route(userInfo.userInfoV1, { method: 'GET', url: msisdnRoute, params: MsisdnParams, input: msisdnOnly });
  rest.route(userInfo.userInfoV2, { method: 'GET', url: `${msisdnRoute}/userinfoV2`, params: MsisdnParams, querystring: SaleQuery, input: withSale });
  rest.route(userInfo.userInfoV3, { method: 'GET', url: `${msisdnRoute}/userinfoV3`, params: MsisdnParams, input: msisdnOnly });
  rest.route(userInfo.userInfoSummary, {
    method: 'GET',
    url: `${msisdnRoute}/userinfoSummary`,
    params: MsisdnParams,
    querystring: SaleQuery,
    input: withSale,
  });

  const { sendVerificationCode, verifyVerificationCode } = verification;
  rest.route(sendVerificationCode, { method: 'POST', url: '/service/:serviceId/verificationcode', params: ServiceParams, body: sendVerificationCode.input });
  rest.route(verifyVerificationCode, {
    method: 'POST',
    url: '/service/:serviceId/verificationcode/verify',
    params: ServiceParams,
    body: verifyVerificationCode.input,
  });

  const preAuthorize = preAuthorizeOperation(deps.preauthorization);
  rest.route(preAuthorize, {
    method: 'POST',
    url: '/service/:serviceId/preauthorize/:platform',
    config: { platformFromPath: true },
    params: PreAuthorizeParams,
    body: preAuthorize.input,
  });
};

/** Direct Payment, or for PreAuthorize the platform the path names. */
function platformOfRoute(request: FastifyRequest): Platform {
  if (!request.routeOptions.config.platformFromPath) return 'directpay';
  const platform = platformOf((request.params as { platform?: string }).platform);
  if (platform === null) throw new StrexFault(FAULT.Validation, 'Invalid platform: use 0 (directpay) or 1 (sms)');
  return platform;
}
