import type { ServiceContext } from '../../core/merchants/types.js';
import type { ConsentMode } from '../../core/preauthorization/ports.js';
import type { PreAuthorizationService } from '../../core/preauthorization/service.js';
import { defineOperation } from '../kit/operation.js';
import { platformOf } from './auth.js';
import { isMinimumAge, PROMPT_SENDER } from './catalogue.js';
import { FAULT, preAuthorizeFault, StrexFault } from './faults.js';
import { msisdnOf } from './operations.js';
import { PreAuthorizeRequest, PreAuthorizeResponse } from './wire.js';

/** PreAuthorize (REST only, POST /service/{serviceId}/preauthorize/{platform}, the reference §17 route). */
export function preAuthorizeOperation(preauthorization: PreAuthorizationService) {
  return defineOperation({
    name: 'PreAuthorize',
    input: PreAuthorizeRequest,
    output: PreAuthorizeResponse,
    async handle(service: ServiceContext, body) {
      // The service was authenticated for the platform the path names.
      if (body.Platform !== undefined && platformOf(body.Platform) !== service.platform) {
        throw new StrexFault(FAULT.Validation, 'Platform in the body contradicts the path');
      }
      const consent = consentOf(body.SecurityLevel);
      // Age is documented as a string: a decimal one has been read as the integer variant,
      // so any other non-empty string (' 18', '1.5', '+18') is not an age.
      const age = body.Age === undefined || body.Age === '' ? undefined : body.Age;
      if (age !== undefined && (typeof age !== 'number' || !isMinimumAge(age))) throw new StrexFault(FAULT.Validation, 'Invalid age');
      const result = await preauthorization.authorize(service, {
        msisdn: msisdnOf(body.Msisdn),
        clientTransactionId: body.TransactionId,
        channel: body.ConfirmationChannel === 1 ? 'ussd' : 'sms',
        shortNumber: body.ShortNumber ?? PROMPT_SENDER,
        messagePrefix: body.MessagePrefix,
        messageSuffix: body.MessageSuffix,
        tokenDescription: body.TokenDescription,
        minimumAge: age,
        consent,
      });
      if (!result.ok) throw preAuthorizeFault(result.error);
      return {
        ExternalTransactionReference: result.value.externalReference,
        Token: result.value.token,
        TransactionId: result.value.clientTransactionId,
      };
    },
  });
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
