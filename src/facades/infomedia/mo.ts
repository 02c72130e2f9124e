import type { MsisdnSealer } from '../../core/aliases/sealed-msisdn.js';
import type { Endpoint } from '../../core/merchants/accounts-types.js';
import type { MerchantNotifier } from '../../core/notifications/ports.js';
import type { MessageReceivedPayload } from '../../core/outbox/catalogue.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { INFOMEDIA_KIND } from './partner.js';
import { fillUrlTemplate, type NetworkCodes } from '../shared/url-template.js';

export interface MoForwardDeps {
  readonly sealer: MsisdnSealer;
  /** The MCC and MNC of the network the number is on now. */
  readonly network: (msisdn: Msisdn) => Promise<NetworkCodes>;
  readonly notifier: MerchantNotifier;
}

/**
 * A subscriber's message to the partner's short code and keyword as the URL of its moUrl
 * template (infomedia-reference §14, OpenDCB's: the document names an MO URL and no format):
 * %%mx%% (the number sealed for the partner, opened by its DecryptMX), %%mcc%%, %%mnc%%,
 * %%shortcode%%, %%keyword%%, %%message%% and %%datetime%% (ISO 8601 UTC), matched
 * case-insensitively and percent-encoded; one it does not know stays as written.
 */
export function moUrl(template: string, message: MessageReceivedPayload, fields: { mx: string; mcc: string; mnc: string }): string {
  const values: Record<string, string> = {
    mx: fields.mx,
    mcc: fields.mcc,
    mnc: fields.mnc,
    shortcode: message.shortCode,
    keyword: message.keyword,
    message: message.text,
    datetime: message.at,
  };
  return fillUrlTemplate(template, values);
}

/** Forwards an MO routed to an Infomedia partner to its moUrl; a partner without one is told nothing. */
export function infomediaMoForwarder(deps: MoForwardDeps) {
  return async (endpoint: Endpoint, message: MessageReceivedPayload): Promise<void> => {
    if (endpoint.kind !== INFOMEDIA_KIND) return;
    const template = (endpoint.settings as { moUrl?: string }).moUrl;
    if (template === undefined) return;
    const msisdn = message.msisdn as Msisdn;
    await deps.notifier.get(moUrl(template, message, { mx: deps.sealer.seal(endpoint.endpointId, msisdn), ...(await deps.network(msisdn)) }));
  };
}
