import type { Kysely } from 'kysely';
import type { AuthorizationTokenRepository, NewAuthorizationToken } from '../../core/preauthorization/ports.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { Schema } from '../schema.js';

export class SqlAuthorizationTokenRepository implements AuthorizationTokenRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async create(t: NewAuthorizationToken): Promise<void> {
    await this.db
      .insertInto('authorization_tokens')
      .values({
        service_id: t.serviceId,
        msisdn: t.msisdn,
        token_hash: t.tokenHash,
        external_reference: t.externalReference,
        client_transaction_id: t.clientTransactionId,
        description: t.description,
        created_at: t.createdAt,
      })
      .execute();
  }

  async isValid(serviceId: number, msisdn: Msisdn, tokenHash: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('authorization_tokens')
      .select('id')
      .where('token_hash', '=', tokenHash)
      .where('service_id', '=', serviceId)
      .where('msisdn', '=', msisdn)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async revoke(serviceId: number, tokenHash: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('authorization_tokens')
      .set({ revoked_at: at })
      .where('token_hash', '=', tokenHash)
      .where('service_id', '=', serviceId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }
}
