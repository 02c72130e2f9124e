import type { AccountsRepository, NewCredential, StoredSecret } from '../../../src/core/merchants/accounts-ports.js';
import type { CredentialKind, CredentialSummary, Endpoint, Merchant, NewEndpoint } from '../../../src/core/merchants/accounts-types.js';

interface Row extends CredentialSummary {
  secretHash: string;
}

/** Merchants, endpoints and credentials in memory, with the tables' uniqueness rules. */
export class InMemoryAccounts implements AccountsRepository {
  readonly merchants: Merchant[] = [];
  readonly endpoints = new Map<number, Endpoint>();
  readonly credentials: Row[] = [];
  #nextEndpointId = 2_147_483_648;

  async createMerchant(name: string, isDemo: boolean, at: Date): Promise<number> {
    const merchantId = this.merchants.length + 1;
    this.merchants.push({ merchantId, name, isDemo, createdAt: at });
    return merchantId;
  }
  async listMerchants(limit: number): Promise<Merchant[]> {
    return this.merchants.slice(0, limit);
  }
  async merchantExists(merchantId: number): Promise<boolean> {
    return this.merchants.some((m) => m.merchantId === merchantId);
  }
  async createEndpoint(endpoint: NewEndpoint): Promise<number | 'taken'> {
    const vendorTaken = [...this.endpoints.values()].some((e) => e.vendorIds.some((v) => endpoint.vendorIds.some((n) => n.name === v.name && n.value === v.value)));
    if (vendorTaken || (endpoint.endpointId !== null && this.endpoints.has(endpoint.endpointId))) return 'taken';
    const endpointId = endpoint.endpointId ?? this.#nextEndpointId++;
    this.endpoints.set(endpointId, { ...endpoint, endpointId });
    return endpointId;
  }
  async findEndpoint(endpointId: number): Promise<Endpoint | null> {
    return this.endpoints.get(endpointId) ?? null;
  }
  async listEndpoints(merchantId: number | null, limit: number): Promise<Endpoint[]> {
    return [...this.endpoints.values()].filter((e) => merchantId === null || e.merchantId === merchantId).slice(0, limit);
  }
  async addCredential(c: NewCredential, at: Date): Promise<number | 'taken'> {
    const live = this.credentials.filter((row) => row.revokedAt === null && row.kind === c.kind && row.identifier === c.identifier);
    if (live.some((row) => c.kind !== 'basic' || row.endpointId === c.endpointId)) return 'taken';
    const credentialId = this.credentials.length + 1;
    this.credentials.push({ ...c, credentialId, createdAt: at, rotatedAt: null, revokedAt: null });
    return credentialId;
  }
  async findCredentialById(credentialId: number): Promise<CredentialSummary | null> {
    const row = this.credentials.find((r) => r.credentialId === credentialId);
    return row ? summary(row) : null;
  }
  async listCredentials(endpointId: number, limit: number): Promise<CredentialSummary[]> {
    return this.credentials.filter((r) => r.endpointId === endpointId).slice(0, limit).map(summary);
  }
  async findLiveSecret(kind: CredentialKind, identifier: string, endpointId: number | null): Promise<StoredSecret | null> {
    const row = this.credentials.find(
      (r) => r.revokedAt === null && r.kind === kind && r.identifier === identifier && (endpointId === null || r.endpointId === endpointId),
    );
    const endpoint = row && this.endpoints.get(row.endpointId);
    return row && endpoint ? { credentialId: row.credentialId, endpoint, secretHash: row.secretHash, allowedCidrs: row.allowedCidrs } : null;
  }
  async liveAllowedCidrs(kind: CredentialKind, limit: number): Promise<string[]> {
    const live = this.credentials.filter((r) => r.revokedAt === null && r.kind === kind);
    const cidrs = new Set(live.flatMap((r) => (r.allowedCidrs.length === 0 ? ['0.0.0.0/0', '::/0'] : r.allowedCidrs)));
    return [...cidrs].sort().slice(0, limit);
  }
  async replaceSecret(credentialId: number, secretHash: string, at: Date): Promise<boolean> {
    const index = this.credentials.findIndex((r) => r.credentialId === credentialId && r.revokedAt === null);
    const row = this.credentials[index];
    if (!row) return false;
    this.credentials[index] = { ...row, secretHash, rotatedAt: at };
    return true;
  }
  async revoke(credentialId: number, at: Date): Promise<boolean> {
    const index = this.credentials.findIndex((r) => r.credentialId === credentialId && r.revokedAt === null);
    const row = this.credentials[index];
    if (!row) return false;
    this.credentials[index] = { ...row, revokedAt: at };
    return true;
  }
}

function summary(row: Row): CredentialSummary {
  const { secretHash: _secret, ...rest } = row;
  return rest;
}
