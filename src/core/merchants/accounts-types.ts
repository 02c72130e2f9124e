import type { Currency } from '../../kernel/money.js';

/**
 * The five ways a request proves which endpoint it speaks for (decision 35):
 * - basic: HTTP Basic username and password, within an endpoint named by the request (its id in the URL)
 * - password: username and password as request parameters, from a source inside an allow-list of CIDRs
 * - shared-secret: a username and an MD5 digest of a password and a shared secret, sent as is
 * - oauth2-client: an OAuth2 client id and client secret
 * - api-key: one bearer key, "sk_<id>_<secret>", looked up by its id part
 */
export const CREDENTIAL_KINDS = ['basic', 'password', 'shared-secret', 'oauth2-client', 'api-key'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export function isCredentialKind(text: string): text is CredentialKind {
  return (CREDENTIAL_KINDS as readonly string[]).includes(text);
}

export interface Merchant {
  readonly merchantId: number;
  readonly name: string;
  readonly isDemo: boolean;
  readonly createdAt: Date;
}

/** An id a vendor's API knows the endpoint by (names are namespaced by the facade that owns them). */
export interface VendorId {
  readonly name: string;
  readonly value: string;
}

/** An API endpoint of a merchant: which API (kind, opaque here), its ids, currency and settings. */
export interface Endpoint {
  readonly endpointId: number;
  readonly merchantId: number;
  readonly kind: string;
  readonly name: string;
  readonly currency: Currency;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly vendorIds: readonly VendorId[];
  readonly requiresVerifiedMsisdn: boolean;
}

/** An endpoint to add: its id is given when the kind says a vendor id is the endpoint's id; otherwise the store picks one. */
export type NewEndpoint = Omit<Endpoint, 'endpointId'> & { readonly endpointId: number | null };

/** A credential as listed: never its secret. */
export interface CredentialSummary {
  readonly credentialId: number;
  readonly endpointId: number;
  readonly kind: CredentialKind;
  readonly identifier: string;
  readonly allowedCidrs: readonly string[];
  readonly createdAt: Date;
  readonly rotatedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** What an issue or rotate hands out, once: the secrets are not stored and cannot be shown again. */
export interface IssuedCredential {
  readonly credentialId: number;
  readonly endpointId: number;
  readonly kind: CredentialKind;
  readonly identifier: string;
  /** Named parts the client needs, e.g. { password } or { apiKey } or { password, sharedSecret }. */
  readonly secrets: Readonly<Record<string, string>>;
}
