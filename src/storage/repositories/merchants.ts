import type { Kysely } from 'kysely';
import type { MerchantRepository, StoredCredential } from '../../core/merchants/ports.js';
import type { NewService, Platform } from '../../core/merchants/types.js';
import type { Currency } from '../../kernel/money.js';
import type { Schema } from '../schema.js';

export class SqlMerchantRepository implements MerchantRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async findCredential(serviceId: number, username: string): Promise<StoredCredential | null> {
    const row = await this.db
      .selectFrom('service_credentials as c')
      .innerJoin('services as s', 's.id', 'c.service_id')
      .select(['c.id as credential_id', 'c.password_hash', 's.id', 's.merchant_id', 's.platform', 's.currency', 's.requires_verified_msisdn'])
      .where('c.service_id', '=', serviceId)
      .where('c.username', '=', username)
      .where('c.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    return {
      credentialId: Number(row.credential_id),
      passwordHash: row.password_hash,
      service: {
        serviceId: Number(row.id),
        merchantId: Number(row.merchant_id),
        platform: row.platform as Platform,
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
    await this.db
      .insertInto('services')
      .values({
        id: service.serviceId,
        merchant_id: service.merchantId,
        platform: service.platform,
        name: service.name,
        currency: service.currency,
        requires_verified_msisdn: service.requiresVerifiedMsisdn ?? false,
      })
      .execute();
  }

  async addCredential(serviceId: number, username: string, passwordHash: string): Promise<void> {
    await this.db
      .insertInto('service_credentials')
      .values({ service_id: serviceId, username, password_hash: passwordHash, revoked_at: null })
      .execute();
  }

  async serviceExists(serviceId: number): Promise<boolean> {
    const row = await this.db.selectFrom('services').select('id').where('id', '=', serviceId).executeTakeFirst();
    return row !== undefined;
  }
}
