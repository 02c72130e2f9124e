import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import type { PasswordAuthenticator } from '../../../core/merchants/authentication.js';
import type { ServiceContext } from '../../../core/merchants/types.js';
import { readWireInput } from '../../shared/wire-input.js';
import { authenticateService } from '../auth.js';
import { FAULT, frameworkFault, StrexFault } from '../faults.js';
import { MAX_BODY_BYTES } from '../negotiation.js';
import { pay, paymentStatus, reversePayment, sendVerificationCode, verifyVerificationCode } from '../operations.js';
import type { StrexFacadeDeps } from '../rest.js';
import { PaymentDetails, SendVerificationCodeRequest, VerifyVerificationCodeRequest } from '../wire.js';
import { faultEnvelope, parseEnvelope, responseEnvelope, type SoapRequest } from './envelope.js';
import { buildWsdl, type OperationName } from './wsdl.js';

const XML_TYPE = 'text/xml; charset=utf-8';
// SOAP 1.1 sends every fault with HTTP 500, whatever its cause.
const SOAP_FAULT_STATUS = 500;

/** ServiceCredentials as the WSDL declares them (ServiceId an xsd:int); a missing member is wrong credentials. */
const ServiceCredentials = Type.Object({
  ServiceId: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
  Username: Type.Optional(Type.String({ maxLength: 256 })),
  Password: Type.Optional(Type.String({ maxLength: 256 })),
});

/** The members of each operation's request element (ServiceCredentials, read first, aside). */
const REQUESTS = {
  Pay: Type.Object({ PaymentDetails }),
  ReversePayment: Type.Object({ ReversePaymentDetails: Type.Object({ TransactionId: Type.String({ maxLength: 20 }) }) }),
  GetPaymentStatus: Type.Object({ ClientReference: Type.String({ maxLength: 200 }) }),
  SendVerificationCode: SendVerificationCodeRequest,
  VerifyVerificationCode: VerifyVerificationCodeRequest,
} satisfies Record<OperationName, TSchema>;

/** Strex Direct Payment SOAP 1.1 endpoint (document/literal wrapped), mounted at /soapV1.svc. */
export const strexSoapPlugin: FastifyPluginAsync<StrexFacadeDeps> = async (app, deps) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof StrexFault) return sendSoapFault(reply, error);
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 400 && status < 500) return sendSoapFault(reply, new StrexFault(FAULT.Validation, `Invalid request: ${(error as Error).message}`));
    request.log.error({ err: error }, 'strex soap request failed');
    return sendSoapFault(reply, new StrexFault(FAULT.Internal, 'Internal server error'));
  });
  deps.frameworkErrors.register(app.prefix, (error, _request, reply) => sendSoapFault(reply, frameworkFault(error)));

  app.get('/', async (request, reply) => {
    const query = Object.keys((request.query ?? {}) as object).map((key) => key.toLowerCase());
    if (!query.includes('wsdl') && !query.includes('singlewsdl')) {
      return reply.code(404).type('text/plain').send('Append ?wsdl for the service description');
    }
    return reply.type(XML_TYPE).send(buildWsdl(endpointUrl(request)));
  });

  app.post('/', async (request, reply) => {
    // SOAP 1.2 is a different protocol; WCF's basicHttpBinding refuses it the same way.
    if (/^application\/soap\+xml/i.test(request.headers['content-type'] ?? '')) {
      return reply.code(415).type('text/plain; charset=utf-8').send(`Cannot process ${request.headers['content-type']}: this endpoint speaks SOAP 1.1 (text/xml)`);
    }
    const soapRequest = parseEnvelope(String(request.body ?? ''));
    checkSoapAction(request, soapRequest);
    const result = await dispatch(deps, soapRequest, request.ip);
    return reply.type(XML_TYPE).send(responseEnvelope(soapRequest.operation, result));
  });
};

async function dispatch(deps: StrexFacadeDeps, request: SoapRequest, clientAddress: string): Promise<Record<string, unknown> | null> {
  const { operation, members } = request;
  const service = await authenticateSoap(deps.authenticator, operation, members.ServiceCredentials, clientAddress);
  switch (operation) {
    case 'Pay':
      return pay(deps.payments, service, read(REQUESTS.Pay, members, operation).PaymentDetails);
    case 'ReversePayment':
      return reversePayment(deps.payments, service, read(REQUESTS.ReversePayment, members, operation).ReversePaymentDetails.TransactionId);
    case 'GetPaymentStatus':
      return paymentStatus(deps.payments, service, read(REQUESTS.GetPaymentStatus, members, operation).ClientReference);
    case 'SendVerificationCode':
      await sendVerificationCode(deps.verification, service, read(REQUESTS.SendVerificationCode, members, operation));
      return null;
    case 'VerifyVerificationCode':
      await verifyVerificationCode(deps.verification, service, read(REQUESTS.VerifyVerificationCode, members, operation));
      return null;
  }
}

function authenticateSoap(
  authenticator: PasswordAuthenticator,
  operation: OperationName,
  credentials: unknown,
  clientAddress: string,
): Promise<ServiceContext> {
  // No element, or an empty one, is no credentials: code 1 as over REST, not a malformed request.
  const given = credentials === undefined || credentials === '' ? {} : credentials;
  const { ServiceId, Username, Password } = read(ServiceCredentials, given, `${operation}/ServiceCredentials`);
  const presented = { serviceIdText: ServiceId === undefined ? '' : String(ServiceId), username: Username ?? '', password: Password ?? '' };
  return authenticateService(authenticator, presented, 'directpay', clientAddress);
}

/** XML leaves are strings: the shared wire-input hygiene reads them as the REST routes read theirs. */
function read<T extends TSchema>(schema: T, value: unknown, where: string): Static<T> {
  const result = readWireInput(schema, value);
  if (!result.ok) throw new StrexFault(FAULT.Validation, `Invalid request: ${where}${result.error.path} ${result.error.reason}`);
  return result.value;
}

/**
 * A SOAPAction, when sent, must name the operation of the body. Only its last segment
 * counts: Strex never published its action namespace (reference §8), so a client built
 * from another WSDL (e.g. http://tempuri.org/IDirectPaymentService/Pay) must work too.
 */
function checkSoapAction(request: FastifyRequest, soapRequest: SoapRequest): void {
  const header = request.headers.soapaction;
  const action = (Array.isArray(header) ? header[0] : header)?.replace(/^"|"$/g, '');
  if (!action) return;
  if (action.slice(action.lastIndexOf('/') + 1) !== soapRequest.operation) {
    throw new StrexFault(FAULT.Validation, `SOAPAction ${action} does not match the operation ${soapRequest.operation}`);
  }
}

function sendSoapFault(reply: FastifyReply, fault: StrexFault) {
  return reply.code(SOAP_FAULT_STATUS).type(XML_TYPE).send(faultEnvelope(fault));
}

/** Where clients should send requests: this host, this path, without the query. */
function endpointUrl(request: FastifyRequest): string {
  const host = request.headers.host ?? `localhost`;
  const path = request.url.split('?')[0] ?? '/soapV1.svc';
  return `${request.protocol}://${host}${path.replace(/\/$/, '')}`;
}
