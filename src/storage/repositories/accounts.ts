import { type Kysely, sql } from 'kysely';
import type { AccountsRepository, NewCredential, StoredSecret } from '../../core/merchants/accounts-ports.js';
import type { CredentialKind, CredentialSummary, Endpoint, Merchant, NewEndpoint, VendorId } from '../../core/merchants/accounts-types.js';
import type { Currency } from '../../kernel/money.js';
import type { Schema } from '../schema.js';

const UNIQUE_VIOLATION = '23505';

/** Merchants, their endpoints (with vendor ids) and credentials. */
export class SqlAccountsRepository implements AccountsRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async createMerchant(name: string, isDemo: boolean, at: Date): Promise<number> {
    const row = await this.db.insertInto('merchants').values({ name, is_demo: isDemo, created_at: at }).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async listMerchants(limit: number): Promise<Merchant[]> {
    const rows = await this.db.selectFrom('merchants').select(['id', 'name', 'is_demo', 'created_at']).orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ merchantId: Number(r.id), name: r.name, isDemo: r.is_demo, createdAt: new Date(r.created_at) }));
  }

  async merchantExists(merchantId: number): Promise<boolean> {
    return (await this.db.selectFrom('merchants').select('id').where('id', '=', merchantId).executeTakeFirst()) !== undefined;
  }

  async createEndpoint(endpoint: NewEndpoint, at: Date): Promise<number | 'taken'> {
    // The endpoint and its vendor ids in one transaction: a taken vendor id leaves no endpoint behind.
    return uniqueOr('taken', () =>
      this.db.transaction().execute(async (tx) => {
        const row = await tx
          .insertInto('endpoints')
          .values({
            id: endpoint.endpointId ?? sql<string>`nextval('endpoint_ids')`,
            merchant_id: endpoint.merchantId,
            kind: endpoint.kind,
            name: endpoint.name,
            currency: endpoint.currency,
            settings: sql`${JSON.stringify(endpoint.settings)}::jsonb`,
            requires_verified_msisdn: endpoint.requiresVerifiedMsisdn,
            created_at: at,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const endpointId = Number(row.id);
        if (endpoint.vendorIds.length > 0) {
          await tx
            .insertInto('endpoint_vendor_ids')
            .values(endpoint.vendorIds.map((v) => ({ endpoint_id: endpointId, name: v.name, value: v.value })))
            .execute();
        }
        return endpointId;
      }),
    );
  }

  async findEndpoint(endpointId: number): Promise<Endpoint | null> {
    const [endpoint] = await this.#endpoints({ endpointId }, 1);
    return endpoint ?? null;
  }

  listEndpoints(merchantId: number | null, limit: number): Promise<Endpoint[]> {
    return this.#endpoints({ merchantId: merchantId ?? undefined }, limit);
  }

  async #endpoints(where: { endpointId?: number; merchantId?: number | undefined }, limit: number): Promise<Endpoint[]> {
    const rows = await this.db
      .selectFrom('endpoints as e')
      .select(['e.id', 'e.merchant_id', 'e.kind', 'e.name', 'e.currency', 'e.settings', 'e.requires_verified_msisdn'])
      .$if(where.endpointId !== undefined, (q) => q.where('e.id', '=', where.endpointId as number))
      .$if(where.merchantId !== undefined, (q) => q.where('e.merchant_id', '=', where.merchantId as number))
      .orderBy('e.id')
      .limit(limit)
      .execute();
    if (rows.length === 0) return [];
    const ids = rows.map((r) => Number(r.id));
    const vendorRows = await this.db
      .selectFrom('endpoint_vendor_ids')
      .select(['endpoint_id', 'name', 'value'])
      .where('endpoint_id', 'in', ids)
      .orderBy('name')
      .execute();
    const vendorIds = new Map<number, VendorId[]>();
    for (const v of vendorRows) {
      const list = vendorIds.get(Number(v.endpoint_id)) ?? [];
      list.push({ name: v.name, value: v.value });
      vendorIds.set(Number(v.endpoint_id), list);
    }
    return rows.map((r) => endpointOf(r, vendorIds.get(Number(r.id)) ?? []));
  }

  async addCredential(credential: NewCredential, at: Date): Promise<number | 'taken'> {
    return uniqueOr('taken', async () => {
      const row = await this.db
        .insertInto('credentials')
        .values({
          endpoint_id: credential.endpointId,
          kind: credential.kind,
          identifier: credential.identifier,
          secret_hash: credential.secretHash,
          allowed_cidrs: [...credential.allowedCidrs],
          revoked_at: null,
          created_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(row.id);
    });
  }

  async findCredentialById(credentialId: number): Promise<CredentialSummary | null> {
    const row = await this.#credentials().where('id', '=', credentialId).executeTakeFirst();
    return row ? summaryOf(row) : null;
  }

  async listCredentials(endpointId: number, limit: number): Promise<CredentialSummary[]> {
    const rows = await this.#credentials().where('endpoint_id', '=', endpointId).orderBy('id').limit(limit).execute();
    return rows.map(summaryOf);
  }

  #credentials() {
    return this.db
      .selectFrom('credentials')
      .select(['id', 'endpoint_id', 'kind', 'identifier', 'allowed_cidrs', 'created_at', 'rotated_at', 'revoked_at']);
  }

  async findLiveSecret(kind: CredentialKind, identifier: string, endpointId: number | null): Promise<StoredSecret | null> {
    let query = this.db
      .selectFrom('credentials as c')
      .innerJoin('endpoints as e', 'e.id', 'c.endpoint_id')
      .select(['c.id as credential_id', 'c.secret_hash', 'c.allowed_cidrs'])
      .select(['e.id', 'e.merchant_id', 'e.kind', 'e.name', 'e.currency', 'e.settings', 'e.requires_verified_msisdn'])
      .where('c.kind', '=', kind)
      .where('c.identifier', '=', identifier)
      .where('c.revoked_at', 'is', null);
    if (endpointId !== null) query = query.where('c.endpoint_id', '=', endpointId);
    const row = await query.executeTakeFirst();
    if (!row) return null;
    // The verifiers need the endpoint, not its vendor ids: those are left out of this read.
    return { credentialId: Number(row.credential_id), secretHash: row.secret_hash, allowedCidrs: row.allowed_cidrs, endpoint: endpointOf(row, []) };
  }

  async liveAllowedCidrs(kind: CredentialKind, limit: number): Promise<string[]> {
    const rows = await sql<{ cidr: string }>`
      SELECT DISTINCT cidr
        FROM credentials c
             CROSS JOIN LATERAL unnest(CASE WHEN cardinality(c.allowed_cidrs) = 0 THEN ARRAY['0.0.0.0/0', '::/0'] ELSE c.allowed_cidrs END) AS cidr
       WHERE c.kind = ${kind} AND c.revoked_at IS NULL
       ORDER BY cidr
       LIMIT ${limit}`.execute(this.db);
    return rows.rows.map((row) => row.cidr);
  }

  async replaceSecret(credentialId: number, secretHash: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('credentials')
      .set({ secret_hash: secretHash, rotated_at: at })
      .where('id', '=', credentialId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async revoke(credentialId: number, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('credentials')
      .set({ revoked_at: at })
      .where('id', '=', credentialId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }
}

interface EndpointRow {
  id: string | number | bigint;
  merchant_id: string | number | bigint;
  kind: string;
  name: string;
  currency: string;
  settings: unknown;
  requires_verified_msisdn: boolean;
}

function endpointOf(r: EndpointRow, vendorIds: VendorId[]): Endpoint {
  return {
    endpointId: Number(r.id),
    merchantId: Number(r.merchant_id),
    kind: r.kind,
    name: r.name,
    currency: r.currency.trim() as Currency,
    settings: jsonObject(r.settings),
    vendorIds,
    requiresVerifiedMsisdn: r.requires_verified_msisdn,
  };
}

function summaryOf(r: {
  id: string | number | bigint;
  endpoint_id: string | number | bigint;
  kind: string;
  identifier: string;
  allowed_cidrs: string[];
  created_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
}): CredentialSummary {
  return {
    credentialId: Number(r.id),
    endpointId: Number(r.endpoint_id),
    kind: r.kind as CredentialKind,
    identifier: r.identifier,
    allowedCidrs: r.allowed_cidrs,
    createdAt: new Date(r.created_at),
    rotatedAt: r.rotated_at === null ? null : new Date(r.rotated_at),
    revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at),
  };
}

/** JSONB arrives parsed from pg and PGlite alike; a string is parsed for safety. */
export function jsonObject(value: unknown): Record<string, unknown> {
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

/** Runs the insert; a unique violation (a taken id or identifier) answers `taken` instead of throwing. */
export async function uniqueOr<T, U>(taken: U, insert: () => Promise<T>): Promise<T | U> {
  try {
    return await insert();
  } catch (error) {
    if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) return taken;
    throw error;
  }
}
