import type { Result } from '../../kernel/result.js';
import type { CredentialKind, CredentialSummary, Endpoint, Merchant, NewEndpoint, VendorId } from './accounts-types.js';

/** What a facade's endpoint kind makes of an operator's input (the facades own the kinds). */
export interface CheckedEndpointInput {
  readonly settings: Readonly<Record<string, unknown>>;
  readonly vendorIds: readonly VendorId[];
  /** The endpoint's id when the kind takes it from a vendor id; null: the store picks one. */
  readonly endpointId: number | null;
}

/**
 * The API kinds endpoints can have, each with its settings schema and vendor ids. Declared
 * by the facades and put together by the composition root; the core only asks.
 */
export interface EndpointKindCatalog {
  kinds(): readonly string[];
  /** Checks settings and vendor ids against the kind; the reasons are readable sentences. */
  check(kind: string, settings: unknown, vendorIds: Readonly<Record<string, string>>): Result<CheckedEndpointInput, readonly string[]>;
  /** The credential kinds a request to an endpoint of this kind can carry. */
  credentialKinds(kind: string): readonly CredentialKind[];
}

/** A stored credential as the verifiers need it. */
export interface StoredSecret {
  readonly credentialId: number;
  readonly endpoint: Endpoint;
  readonly secretHash: string;
  readonly allowedCidrs: readonly string[];
}

export interface NewCredential {
  readonly endpointId: number;
  readonly kind: CredentialKind;
  readonly identifier: string;
  readonly secretHash: string;
  readonly allowedCidrs: readonly string[];
}

export interface AccountsRepository {
  createMerchant(name: string, isDemo: boolean, at: Date): Promise<number>;
  listMerchants(limit: number): Promise<Merchant[]>;
  merchantExists(merchantId: number): Promise<boolean>;
  /** Answers the endpoint id; 'taken' when the id or one of the vendor ids already names an endpoint. */
  createEndpoint(endpoint: NewEndpoint, at: Date): Promise<number | 'taken'>;
  findEndpoint(endpointId: number): Promise<Endpoint | null>;
  listEndpoints(merchantId: number | null, limit: number): Promise<Endpoint[]>;
  /** Answers the credential id; 'taken' when a live credential of that kind already has the identifier. */
  addCredential(credential: NewCredential, at: Date): Promise<number | 'taken'>;
  findCredentialById(credentialId: number): Promise<CredentialSummary | null>;
  listCredentials(endpointId: number, limit: number): Promise<CredentialSummary[]>;
  /** The live (unrevoked) credential of that kind and identifier; basic ones need their endpoint. */
  findLiveSecret(kind: CredentialKind, identifier: string, endpointId: number | null): Promise<StoredSecret | null>;
  /**
   * The distinct source ranges of the live credentials of a kind, at most `limit`; a live
   * credential without an allow-list adds 0.0.0.0/0 and ::/0 (it may be used from anywhere).
   */
  liveAllowedCidrs(kind: CredentialKind, limit: number): Promise<string[]>;
  /** Replaces a live credential's secret; false when it is revoked or unknown. */
  replaceSecret(credentialId: number, secretHash: string, at: Date): Promise<boolean>;
  /** false when it was already revoked or is unknown. */
  revoke(credentialId: number, at: Date): Promise<boolean>;
}
