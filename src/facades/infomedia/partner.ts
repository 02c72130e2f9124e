import type { Endpoint } from '../../core/merchants/accounts-types.js';
import type { ServiceContext } from '../../core/merchants/types.js';

/** Who an Infomedia request speaks for: the partner's endpoint and the context the core's services take. */
export interface Partner {
  readonly endpoint: Endpoint;
  /** The endpoint as payments and the other services scope by it (its endpoint id is the service id). */
  readonly service: ServiceContext;
  /** AutoPort (§4.7): a ported subscriber's new network is reported. */
  readonly autoPort: boolean;
}

export const INFOMEDIA_KIND = 'infomedia-payments';

export function partnerOf(endpoint: Endpoint): Partner {
  const service: ServiceContext = {
    serviceId: endpoint.endpointId,
    merchantId: endpoint.merchantId,
    platform: 'directpay',
    currency: endpoint.currency,
    requiresVerifiedMsisdn: endpoint.requiresVerifiedMsisdn,
  };
  return { endpoint, service, autoPort: endpoint.settings.autoPort === true };
}
