import { Type } from 'typebox';
import type { EndpointKind } from '../shared/endpoint-kind.js';

const url = Type.String({ pattern: '^https?://[^\\s]{1,2000}$', maxLength: 2008, description: 'an http:// or https:// URL' });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * An Infomedia Mobile Payments partner (infomedia-reference.md §1, §8, §9): its partner id
 * (AID) and PAID, the URLs notifications go to, and the hosts its IABLU RU may return to.
 * Its products (SID/BPID) are products and price plans of the merchant.
 */
export const INFOMEDIA_ENDPOINT: EndpointKind = {
  kind: 'infomedia-payments',
  description: 'Infomedia Mobile Payments (GET, POST, ASMX JSON, SOAP), U/P parameters from allow-listed sources',
  settings: Type.Object(
    {
      notifyUrl: Type.Optional(url),
      dlrUrl: Type.Optional(url),
      moUrl: Type.Optional(url),
      pageUrl: Type.Optional(url),
      returnHosts: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9.-]{1,253}$', description: 'a host name' }), { maxItems: 16 })),
      autoPort: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  vendorIds: [
    { name: 'partner-id', storedAs: 'infomedia-partner-id', valid: (v) => /^[1-9]\d{0,9}$/.test(v), looksLike: 'the AID, a positive integer', required: true },
    { name: 'paid', storedAs: 'infomedia-paid', valid: (v) => UUID.test(v), looksLike: 'the PAID, a lower-case UUID', required: true },
  ],
  credentialKinds: ['password'],
};
