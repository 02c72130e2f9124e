import type { Clock } from '../../kernel/clock.js';
import { isCurrency } from '../../kernel/money.js';
import { err, ok, type Result } from '../../kernel/result.js';
import type { AccountsRepository, EndpointKindCatalog } from './accounts-ports.js';
import type { Endpoint, Merchant } from './accounts-types.js';

export const MAX_NAME_CHARS = 200;
/** A list answers at most this many rows (the CLI says so when it is full). */
export const MAX_LIST_ROWS = 1_000;
const MAX_VENDOR_IDS = 8;

/** Why an operator's request was refused, one kind per cause; the CLI words each. */
export type AccountsError =
  | { readonly kind: 'invalid-field'; readonly field: string; readonly reason: string }
  | { readonly kind: 'unknown-merchant'; readonly merchantId: number }
  | { readonly kind: 'unknown-endpoint'; readonly endpointId: number }
  | { readonly kind: 'unknown-endpoint-kind'; readonly endpointKind: string; readonly known: readonly string[] }
  | { readonly kind: 'invalid-settings'; readonly reasons: readonly string[] }
  | { readonly kind: 'endpoint-taken' }
  | { readonly kind: 'credential-kind-not-accepted'; readonly credentialKind: string; readonly accepted: readonly string[] }
  | { readonly kind: 'identifier-taken'; readonly identifier: string }
  | { readonly kind: 'unknown-credential'; readonly credentialId: number }
  | { readonly kind: 'credential-revoked'; readonly credentialId: number }
  | { readonly kind: 'unknown-product'; readonly productId: number }
  | { readonly kind: 'product-taken'; readonly productId: number }
  | { readonly kind: 'plan-taken'; readonly planId: number };

export interface EndpointRequest {
  readonly merchantId: number;
  readonly kind: string;
  readonly name: string;
  readonly currency: string;
  /** The operator's settings, unchecked (the kind's schema checks them). */
  readonly settings: unknown;
  readonly vendorIds: Readonly<Record<string, string>>;
  readonly requiresVerifiedMsisdn?: boolean;
}

/** Merchants and their API endpoints, for operators (the CLI, the seed). */
export class AccountsService {
  constructor(
    private readonly repository: AccountsRepository,
    private readonly kinds: EndpointKindCatalog,
    private readonly clock: Clock,
  ) {}

  async createMerchant(name: string, isDemo = false): Promise<Result<number, AccountsError>> {
    const invalid = nameProblem('name', name);
    if (invalid) return err(invalid);
    return ok(await this.repository.createMerchant(name, isDemo, this.clock.now()));
  }

  listMerchants(): Promise<Merchant[]> {
    return this.repository.listMerchants(MAX_LIST_ROWS);
  }

  async addEndpoint(request: EndpointRequest): Promise<Result<Endpoint, AccountsError>> {
    const invalid = nameProblem('name', request.name);
    if (invalid) return err(invalid);
    if (!isCurrency(request.currency)) return err({ kind: 'invalid-field', field: 'currency', reason: `${request.currency} is not a currency the platform settles in` });
    if (Object.keys(request.vendorIds).length > MAX_VENDOR_IDS) return err({ kind: 'invalid-field', field: 'vendor ids', reason: `at most ${MAX_VENDOR_IDS}` });
    const known = this.kinds.kinds();
    if (!known.includes(request.kind)) return err({ kind: 'unknown-endpoint-kind', endpointKind: request.kind, known });
    if (!(await this.repository.merchantExists(request.merchantId))) return err({ kind: 'unknown-merchant', merchantId: request.merchantId });
    const checked = this.kinds.check(request.kind, request.settings, request.vendorIds);
    if (!checked.ok) return err({ kind: 'invalid-settings', reasons: checked.error });
    const endpoint = {
      endpointId: checked.value.endpointId,
      merchantId: request.merchantId,
      kind: request.kind,
      name: request.name,
      currency: request.currency,
      settings: checked.value.settings,
      vendorIds: checked.value.vendorIds,
      requiresVerifiedMsisdn: request.requiresVerifiedMsisdn ?? false,
    };
    const endpointId = await this.repository.createEndpoint(endpoint, this.clock.now());
    if (endpointId === 'taken') return err({ kind: 'endpoint-taken' });
    return ok({ ...endpoint, endpointId });
  }

  async listEndpoints(merchantId: number | null): Promise<Result<Endpoint[], AccountsError>> {
    if (merchantId !== null && !(await this.repository.merchantExists(merchantId))) return err({ kind: 'unknown-merchant', merchantId });
    return ok(await this.repository.listEndpoints(merchantId, MAX_LIST_ROWS));
  }

  findEndpoint(endpointId: number): Promise<Endpoint | null> {
    return this.repository.findEndpoint(endpointId);
  }
}

/**
 * A name is 1-200 characters with no control characters: C0, DEL and C1 (U+009B is a terminal's
 * CSI, so a name could repaint the operator's screen in `merchants list`), the line and paragraph
 * separators, and the bidirectional overrides and isolates (a name that reads as another's).
 */
export function nameProblem(field: string, name: string): AccountsError | null {
  if (name.length === 0 || name.length > MAX_NAME_CHARS) return { kind: 'invalid-field', field, reason: `must be 1-${MAX_NAME_CHARS} characters` };
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(name)) {
    return { kind: 'invalid-field', field, reason: 'must not contain control characters' };
  }
  return null;
}
