import type { EndpointKindCatalog } from '../core/merchants/accounts-ports.js';
import type { CredentialKind } from '../core/merchants/accounts-types.js';
import { HERMES_ENDPOINT } from '../facades/hermes/endpoint.js';
import { INFOMEDIA_ENDPOINT } from '../facades/infomedia/endpoint.js';
import { NATIVE_ENDPOINT } from '../facades/native/endpoint.js';
import { checkEndpointInput, type EndpointKind } from '../facades/shared/endpoint-kind.js';
import { STREX_ENDPOINT } from '../facades/strex/endpoint.js';
import { TELENOR_ENDPOINT } from '../facades/telenor/endpoint.js';

/** Every endpoint kind the facades declare, in the order the CLI lists them. */
export const ENDPOINT_KINDS: readonly EndpointKind[] = [STREX_ENDPOINT, INFOMEDIA_ENDPOINT, HERMES_ENDPOINT, TELENOR_ENDPOINT, NATIVE_ENDPOINT];

/** The catalogue the core asks about kinds (composition root: it alone sees every facade). */
export function endpointKindCatalog(kinds: readonly EndpointKind[] = ENDPOINT_KINDS): EndpointKindCatalog {
  const byName = new Map(kinds.map((kind) => [kind.kind, kind]));
  const kindOf = (name: string): EndpointKind => {
    const kind = byName.get(name);
    if (!kind) throw new Error(`unknown endpoint kind ${name}`);
    return kind;
  };
  return {
    kinds: () => [...byName.keys()],
    check: (name, settings, vendorIds) => checkEndpointInput(kindOf(name), settings, vendorIds),
    credentialKinds: (name): readonly CredentialKind[] => byName.get(name)?.credentialKinds ?? [],
  };
}
