import { Type } from 'typebox';
import type { EndpointKind } from '../shared/endpoint-kind.js';

/** Telenor corporate accounts (telenor-reference.md): an OAuth2 client that sees the organisations listed. */
export const TELENOR_ENDPOINT: EndpointKind = {
  kind: 'telenor-order',
  description: 'Telenor Mobile Subscription Order API behind OAuth2 client credentials',
  settings: Type.Object(
    { organisations: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{9}$', description: 'an organisation number of 9 digits' }), { maxItems: 100 })) },
    { additionalProperties: false },
  ),
  vendorIds: [],
  credentialKinds: ['oauth2-client'],
};
