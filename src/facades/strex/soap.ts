import type { FastifyPluginAsync } from 'fastify';
import type { ServiceContext } from '../../core/merchants/types.js';
import { readMembers, soapBinding } from '../kit/soap.js';
import { wcfWsdl } from '../kit/wsdl-wcf.js';
import { authenticateService } from './auth.js';
import { faultElement, strexFaults } from './fault-policy.js';
import { frameworkFault, type StrexFault } from './faults.js';
import { paymentOperations, verificationOperations } from './operations.js';
import type { StrexFacadeDeps } from './rest.js';
import { DirectPaymentFault, FAULTS_NS, MAX_BODY_BYTES, SERVICE_NS, ServiceCredentials, TYPES_NS } from './wire.js';

const WEB_FAULT_NS = 'http://schemas.microsoft.com/2009/WebFault';

/** The WCF WebFault code and reason a Strex fault's HTTP status stands for. */
const WEB_FAULT_NAMES: Record<number, [string, string]> = {
  400: ['BadRequest', 'Bad Request'],
  401: ['Unauthorized', 'Unauthorized'],
  403: ['Forbidden', 'Forbidden'],
  404: ['NotFound', 'Not Found'],
  424: ['FailedDependency', 'Failed Dependency'],
  500: ['InternalServerError', 'Internal Server Error'],
};

/** The Strex operations over SOAP, in the order the WSDL lists them. */
function soapOperations(deps: StrexFacadeDeps) {
  const payments = paymentOperations(deps.payments);
  const verification = verificationOperations(deps.verification);
  return [payments.pay, payments.reversePayment, payments.getPaymentStatus, verification.sendVerificationCode, verification.verifyVerificationCode];
}

const REQUEST_HEADER = { ServiceCredentials };

/** The Strex WSDL for an endpoint location (the golden WSDL test calls it directly). */
export function strexWsdl(operations: ReturnType<typeof soapOperations>): (location: string) => string {
  return wcfWsdl({
    serviceName: 'DirectPaymentService',
    contractName: 'IDirectPaymentService',
    serviceNamespace: SERVICE_NS,
    typesNamespace: TYPES_NS,
    fault: { namespace: FAULTS_NS, schema: DirectPaymentFault },
    requestHeader: REQUEST_HEADER,
    operations,
  });
}

/** Strex Direct Payment SOAP 1.1 endpoint (WCF basicHttpBinding, document/literal wrapped), mounted at /soapV1.svc. */
export const strexSoapPlugin: FastifyPluginAsync<StrexFacadeDeps> = async (app, deps) => {
  const operations = soapOperations(deps);
  soapBinding<ServiceContext, StrexFault>(app, {
    style: { kind: 'wcf', resultNamespace: TYPES_NS },
    serviceNamespace: SERVICE_NS,
    maxBodyBytes: MAX_BODY_BYTES,
    operations,
    faults: strexFaults,
    frameworkFault,
    faultContent,
    wsdl: strexWsdl(operations),
    // The credentials are members of every request element: read them first, as REST reads its Basic header first.
    authenticate: (request, { operation, members }) => {
      // No element, or an empty one, is no credentials: code 1 as over REST, not a malformed request.
      const given = members.ServiceCredentials === undefined || members.ServiceCredentials === '' ? {} : members.ServiceCredentials;
      const { ServiceId, Username, Password } = readMembers(ServiceCredentials, given, `${operation.name}/ServiceCredentials`);
      const presented = { serviceIdText: ServiceId === undefined ? '' : String(ServiceId), username: Username ?? '', password: Password ?? '' };
      return authenticateService(deps.authenticator, presented, 'directpay', request.ip);
    },
    frameworkErrors: deps.frameworkErrors,
    logLabel: 'strex soap request failed',
  });
};

/** A SOAP fault as the vendor's WCF service writes it, with the DirectPaymentFault as detail. */
function faultContent(fault: StrexFault): Record<string, unknown> {
  const [code, text] = WEB_FAULT_NAMES[fault.httpStatus] ?? ['InternalServerError', 'Internal Server Error'];
  return {
    faultcode: { '@xmlns:a': WEB_FAULT_NS, '#text': `a:${code}` },
    faultstring: { '@xml:lang': 'nb-NO', '#text': text },
    detail: faultElement(fault),
  };
}
