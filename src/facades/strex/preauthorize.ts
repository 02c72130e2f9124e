import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { isMinimumAge } from '../../core/limits/rules.js';
import type { ConsentMode } from '../../core/preauthorization/ports.js';
import type { PreAuthorizationService } from '../../core/preauthorization/service.js';
import { authenticatedService, platformOf } from './auth.js';
import { chargeFault, FAULT, StrexFault } from './faults.js';
import { sendBody } from './negotiation.js';
import { msisdnOf } from './operations.js';
import { faultResponses, PreAuthorizeParams, PreAuthorizeRequest, PreAuthorizeResponse } from './wire.js';

/** PreAuthorize (REST only): POST /service/{serviceId}/preauthorize/{platform}, the reference §17 route. */
export function registerPreAuthorizeRoute(app: FastifyInstance, preauthorization: PreAuthorizationService): void {
  app.post<{ Params: Static<typeof PreAuthorizeParams>; Body: Static<typeof PreAuthorizeRequest> }>(
    '/service/:serviceId/preauthorize/:platform',
    {
      config: { platformFromPath: true },
      schema: { params: PreAuthorizeParams, body: PreAuthorizeRequest, response: { 200: PreAuthorizeResponse, ...faultResponses } },
    },
    async (request, reply) => {
      const body = request.body;
      if (body.Platform !== undefined && platformOf(body.Platform) !== platformOf(request.params.platform)) {
        throw new StrexFault(FAULT.Validation, 'Platform in the body contradicts the path');
      }
      const consent = consentOf(body.SecurityLevel);
      // Age is documented as a string: a decimal one has been read as the integer variant,
      // so any other non-empty string (' 18', '1.5', '+18') is not an age.
      const age = body.Age === undefined || body.Age === '' ? undefined : body.Age;
      if (age !== undefined && (typeof age !== 'number' || !isMinimumAge(age))) throw new StrexFault(FAULT.Validation, 'Invalid age');
      const result = await preauthorization.authorize(authenticatedService(request), {
        msisdn: msisdnOf(body.Msisdn),
        clientTransactionId: body.TransactionId,
        channel: body.ConfirmationChannel === 1 ? 'ussd' : 'sms',
        shortNumber: body.ShortNumber,
        messagePrefix: body.MessagePrefix,
        messageSuffix: body.MessageSuffix,
        tokenDescription: body.TokenDescription,
        requiredAge: age,
        consent,
      });
      if (!result.ok) throw chargeFault(result.error);
      return sendBody(request, reply, 'PreAuthorizeResponse', {
        ExternalTransactionReference: result.value.externalReference,
        Token: result.value.token,
        TransactionId: result.value.clientTransactionId,
      });
    },
  );
}

/**
 * SecurityLevel 1 (None): the merchant has the subscriber's consent by its own means, so
 * nobody is asked and the token records that the merchant asserted it. 2 (Confirmation),
 * and its absence, ask the subscriber. 3 (Pin, "not in use") is refused, as on Pay.
 */
function consentOf(securityLevel: number | undefined): ConsentMode {
  if (securityLevel === 1) return 'merchant_asserted';
  if (securityLevel === 3) throw new StrexFault(FAULT.Validation, 'SecurityLevel 3 (Pin) is not supported');
  return 'prompted';
}
