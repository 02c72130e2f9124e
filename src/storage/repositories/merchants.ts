import { type Kysely, sql } from 'kysely';
import type { MerchantRepository, StoredCredential } from '../../core/merchants/ports.js';
import type { NewService, Platform } from '../../core/merchants/types.js';
import type { Currency } from '../../kernel/money.js';
import type { Schema } from '../schema.js';
import { jsonObject } from './accounts.js';

/** The Strex Direct Payment endpoint kind and vendor id (src/facades/strex/endpoint.ts declares them). */
const STREX_KIND = 'strex-directpay';
const STREX_SERVICE_ID = 'strex-service-id';

/**
 * The Strex login path and the Strex-shaped shortcut createService (existing callers):
 * a service is a Strex Direct Payment endpoint whose id is its serviceId, and its
 * platform is a setting of that endpoint. The general path is SqlAccountsRepository.
 */
export class SqlMerchantRepository implements MerchantRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async findCredential(serviceId: number, username: string): Promise<StoredCredential | null> {
    const row = await this.db
      .selectFrom('credentials as c')
      .innerJoin('endpoints as s', 's.id', 'c.endpoint_id')
      .select(['c.id as credential_id', 'c.secret_hash', 's.id', 's.merchant_id', 's.settings', 's.currency', 's.requires_verified_msisdn'])
      .where('c.endpoint_id', '=', serviceId)
      .where('c.identifier', '=', username)
      .where('c.kind', '=', 'basic')
      .where('c.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    return {
      credentialId: Number(row.credential_id),
      passwordHash: row.secret_hash,
      service: {
        serviceId: Number(row.id),
        merchantId: Number(row.merchant_id),
        platform: strexPlatform(row.settings),
        currency: row.currency as Currency,
        requiresVerifiedMsisdn: row.requires_verified_msisdn,
      },
    };
  }

  async createMerchant(name: string, isDemo: boolean): Promise<number> {
    const row = await this.db
      .insertInto('merchants')
      .values({ name, is_demo: isDemo })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async createService(service: NewService): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('endpoints')
        .values({
          id: service.serviceId,
          merchant_id: service.merchantId,
          kind: STREX_KIND,
          settings: sql`${JSON.stringify({ platform: service.platform })}::jsonb`,
          name: service.name,
          currency: service.currency,
          requires_verified_msisdn: service.requiresVerifiedMsisdn ?? false,
        })
        .execute();
      await tx.insertInto('endpoint_vendor_ids').values({ endpoint_id: service.serviceId, name: STREX_SERVICE_ID, value: String(service.serviceId) }).execute();
    });
  }

  async addCredential(serviceId: number, username: string, passwordHash: string): Promise<void> {
    await this.db
      .insertInto('credentials')
      .values({ endpoint_id: serviceId, kind: 'basic', identifier: username, secret_hash: passwordHash, revoked_at: null })
      .execute();
  }

  async serviceExists(serviceId: number): Promise<boolean> {
    const row = await this.db.selectFrom('endpoints').select('id').where('id', '=', serviceId).executeTakeFirst();
    return row !== undefined;
  }
}

/** A Strex endpoint's platform setting; endpoints written before settings existed were migrated with it. */
function strexPlatform(settings: unknown): Platform {
  return (jsonObject(settings) as { platform?: unknown }).platform === 'sms' ? 'sms' : 'directpay';
}
