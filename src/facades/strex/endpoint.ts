import { Type } from 'typebox';
import { type EndpointKind, isInt32Id } from '../shared/endpoint-kind.js';

/**
 * A Strex Direct Payment endpoint: the merchant's serviceId (Int32, assigned by Strex) is the
 * endpoint's id, as services' ids were before endpoints; its platform is Direct Payment or
 * the SMS platform (PreAuthorize platform 1).
 */
export const STREX_ENDPOINT: EndpointKind = {
  kind: 'strex-directpay',
  description: 'Strex Direct Payment REST and SOAP, HTTP Basic on the serviceId',
  settings: Type.Object({ platform: Type.Enum(['directpay', 'sms'], { default: 'directpay' }) }, { additionalProperties: false }),
  vendorIds: [
    {
      name: 'service-id',
      storedAs: 'strex-service-id',
      valid: isInt32Id,
      looksLike: 'the serviceId, an integer 1-2147483647',
      required: true,
      isEndpointId: true,
    },
  ],
  credentialKinds: ['basic'],
};
