import { Type } from 'typebox';
import type { EndpointKind } from '../shared/endpoint-kind.js';

export const HERMES_KIND = 'hermes-sms';

/**
 * A Hermes SMS account (infomedia-reference §7, §14): Username and the MD5 of password and
 * shared secret; the campaigns it may send through (any, when none are listed), the
 * sender its messages carry, and where their delivery reports go.
 */
export const HERMES_ENDPOINT: EndpointKind = {
  kind: HERMES_KIND,
  description: 'Hermes SMS SOAP, Username + MD5Hash of password and shared secret',
  settings: Type.Object(
    {
      campaignIds: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{1,10}$', description: 'a campaign id of digits' }), { maxItems: 64 })),
      dlrUrl: Type.Optional(
        Type.String({ pattern: '^https?://[^\\s]{1,2000}$', maxLength: 2008, description: 'the delivered-SMS postback template, an http:// or https:// URL with %%placeholders%%' }),
      ),
      partnerId: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,9}$', description: "the AID of the merchant's Infomedia partner whose DecryptMX opens the reports' MX" })),
      reportMsisdn: Type.Optional(Type.Boolean({ description: 'fill %%msisdn%% in delivery reports' })),
      sender: Type.Optional(Type.String({ pattern: '^([0-9]{1,16}|[A-Za-z0-9 ]{1,11})$', description: 'a short code or number of up to 16 digits, or up to 11 letters and digits' })),
    },
    { additionalProperties: false },
  ),
  vendorIds: [],
  credentialKinds: ['shared-secret'],
};
