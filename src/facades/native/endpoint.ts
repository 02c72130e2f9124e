import { Type } from 'typebox';
import type { EndpointKind } from '../shared/endpoint-kind.js';

/** OpenDCB's own API: API keys, and where its webhooks go. */
export const NATIVE_ENDPOINT: EndpointKind = {
  kind: 'native',
  description: 'OpenDCB native API (/v1) with API keys',
  settings: Type.Object({ webhookUrl: Type.Optional(Type.String({ pattern: '^https?://[^\\s]{1,2000}$', maxLength: 2008, description: 'an http:// or https:// URL' })) }, { additionalProperties: false }),
  vendorIds: [],
  credentialKinds: ['api-key'],
};
